"""A legacy symmetric 3.x module, unchanged except for the path parameter and async routes."""
# mypy: disable-error-code="no-untyped-def,type-arg"

from symmetric import symmetric


@symmetric.router("/sample", methods=["get"])
def some_function():
    """Greets the world."""
    return "Hello World!"


@symmetric.router("/add", methods=["post"], response_code=200, auth_token=False)
def another_function(a: int, b: int = 372) -> int:
    """Adds :a and :b and returns the result of that operation."""
    return a + b


@symmetric.router("/secret", methods=["post"], auth_token=True)
def secret(message: str) -> dict:
    """Needs the token."""
    return {"message": message, "length": len(message)}


@symmetric.router("/search", methods=["get"])
def search(q: str, limit: int = 10) -> list:
    """GET endpoints take query parameters."""
    return [f"{q}-{i}" for i in range(limit)]


@symmetric.router("/items/{item_id}", methods=["get", "delete"])
def item(item_id: int) -> dict:
    """Path parameters are typed."""
    return {"id": item_id}


@symmetric.router("/slow-double", methods=["post"], response_code=201)
async def slow_double(x: float) -> float:
    """Async functions work under WSGI."""
    return x * 2


@symmetric.router("/boom", methods=["post"])
def boom() -> None:
    """Always fails: the 500 must not leak this message."""
    raise RuntimeError("secret internal detail")


@symmetric.router("/echo", methods=["post"])
def echo(text: str) -> str:
    """Returns the text."""
    return text
