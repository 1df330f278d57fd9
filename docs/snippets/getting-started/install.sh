uv venv                                   # a fresh .venv (or: python3 -m venv .venv)
. .venv/bin/activate
uv pip install ./packages/* gunicorn      # every package of the clone, and gunicorn
