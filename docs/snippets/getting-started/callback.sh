curl -s -w '\n' -X POST http://127.0.0.1:8000/mean -H 'content-type: application/json' \
  -H 'Asymmetric-Callback-URL: http://127.0.0.1:9000/results' -d '{"values": [1, 2, 3, 4]}'
