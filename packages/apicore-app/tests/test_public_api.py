import apicore_app
from apicore_test_support import LAZY_PACKAGES, imported_packages, public_api_problems


def test_all_lists_every_public_name_once_and_sorted() -> None:
    assert public_api_problems(apicore_app) == []


SERVE = """
from apicore_app import Api, Headers, Request
api = Api()
@api.route("/add")
def add(a: int, b: int = 1) -> int:
    return a + b
json = Headers({"content-type": "application/json"})
assert api.handle(Request("POST", "/add", "", json, b'{"a": 1}')).status == 200
"""


def test_plain_routes_load_no_spec_docs_or_callback_machinery() -> None:
    assert imported_packages(SERVE) & LAZY_PACKAGES == set()
    # each loads with the first use of its feature
    docs = imported_packages(SERVE + "api.handle(Request('GET', '/openapi.json', '', Headers({})))")
    assert "apicore_openapi" in docs
    assert "apicore_callbacks" not in docs
    jobs = imported_packages(SERVE + "api.route('/later', callback=True)(lambda: None)")
    assert "apicore_callbacks" in jobs
