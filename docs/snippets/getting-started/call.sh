curl -s -w '\n' -X POST http://127.0.0.1:8000/add -H 'content-type: application/json' -d '{"a": 2, "b": 3}'
curl -s -w '\n' http://127.0.0.1:8000/secret -H 'Authorization: Bearer tutorial-token-0123456789'
curl -s -o /dev/null -w '%{http_code}\n' http://127.0.0.1:8000/secret    # no token: 401
