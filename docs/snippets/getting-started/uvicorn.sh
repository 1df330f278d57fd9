export APICORE_API_KEY=tutorial-token-0123456789 APICORE_CALLBACKS_ALLOW=127.0.0.1
uvicorn app:asymmetric --workers 2 --host 127.0.0.1 --port 8000
