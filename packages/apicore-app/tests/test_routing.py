import pytest

from apicore_app import DuplicateRouteError, InvalidRouteError
from apicore_app._routing import PathTemplate, RouteTable, normalize_methods


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/", ()),
        ("/add", ()),
        ("/hello-world/basic_syntax", ()),
        ("/items/{item_id}", ("item_id",)),
        ("/users/{user}/items/{item_id}.json", ("user", "item_id")),
        ("/v2/element2", ()),
    ],
)
def test_valid_templates(path: str, params: tuple[str, ...]) -> None:
    assert PathTemplate.compile(path).params == params


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("add", "starting with '/'"),
        ("/a//b", "empty segment"),
        ("/a/", "empty segment"),
        ("/items/{1bad}", "invalid segment"),
        ("/items/{id", "invalid segment"),
        ("/a b", "invalid"),
        ("/{x}/{x}", "repeats"),
    ],
)
def test_invalid_templates(path: str, message: str) -> None:
    with pytest.raises(InvalidRouteError, match=message):
        PathTemplate.compile(path)


def test_methods_are_normalized_and_checked() -> None:
    assert normalize_methods(["post", " Get ", "POST"]) == ("POST", "GET")
    for bad in (["bogus"], [], "get"):
        with pytest.raises(InvalidRouteError):
            normalize_methods(bad)


def test_table_matching() -> None:
    table: RouteTable[str] = RouteTable()
    table.add(PathTemplate.compile("/items"), ("GET",), "list")
    table.add(PathTemplate.compile("/items"), ("POST",), "create")
    table.add(PathTemplate.compile("/items/{item_id}"), ("GET", "DELETE"), "one")
    assert table.match("POST", "/items").handler == "create"
    match = table.match("GET", "/items/42")
    assert (match.handler, match.params) == ("one", {"item_id": "42"})
    assert table.match("HEAD", "/items/42").handler == "one"
    missing = table.match("PUT", "/items/42")
    assert missing.handler is None
    assert set(missing.allowed) == {"GET", "DELETE", "HEAD"}
    unknown = table.match("GET", "/nope")
    assert (unknown.handler, unknown.allowed) == (None, ())
    assert table.match("GET", "/items/42/x").allowed == ()


def test_duplicates_are_errors_per_method() -> None:
    table: RouteTable[str] = RouteTable()
    table.add(PathTemplate.compile("/a/{x}"), ("GET",), "one")
    table.add(PathTemplate.compile("/a/{x}"), ("POST",), "two")
    with pytest.raises(
        DuplicateRouteError, match="'/a/{x}' with HTTP method 'GET' was defined twice"
    ):
        table.add(PathTemplate.compile("/a/{x}"), ("PUT", "GET"), "three")
    assert table.match("PUT", "/a/1").handler is None
