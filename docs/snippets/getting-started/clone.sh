git clone https://github.com/apicore/apicore.git
cd apicore
