python receiver.py
