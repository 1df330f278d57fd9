"""Call the API from Python: a retrying client built from the API's own document."""

from apicore_client import Client

with Client.from_url("http://127.0.0.1:8000/openapi.json") as api:
    print(api.add(a=2, b=3))
    print(api.add(a=40))
