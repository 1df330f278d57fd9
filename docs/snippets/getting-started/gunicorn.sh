gunicorn flask_app:symmetric --workers 2 --bind 127.0.0.1:8000
