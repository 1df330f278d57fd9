"""The legacy README's handlers: login, public and user APIs."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import flask

from pymacaron_core import ValidationError, current_call_id, current_call_path
from pymacaron_core.swagger import ApiPool

CALLS: list[str] = []
LOGINS: list[Any] = []


def do_login(credentials: Any) -> Any:
    LOGINS.append(credentials)
    if credentials.password == "secret":
        Welcome = ApiPool.login.model.Welcome
        return Welcome(message=f"Welcome {credentials.email}!")
    r = flask.jsonify({"error": "INVALID_CREDENTIALS"})
    r.status_code = 401
    return r


def hello_html(name: str | None = None) -> Any:
    if name == "tuple":
        return "<h1>created</h1>", 201
    return f"<h1>hello {name or 'world'}</h1>"


def crash() -> Any:
    raise RuntimeError("database password is hunter2")


def bad_result() -> Any:
    return {"msg": "no message property"}


def nothing() -> Any:
    return None


def get_version() -> Any:
    return ApiPool.public.model.Version(
        version=ApiPool.public.get_version(),
        call_id=current_call_id(),
        call_path=current_call_path(),
    )


def echo(item: str, num: int, opt: int | None = None, flag: bool = False) -> Any:
    return ApiPool.public.model.Echo(item=item, num=num, opt=opt, flag=flag)


def fail() -> Any:
    raise ValueError("the handler failed")


class Teapot(Exception):
    status_code = 418


def teapot() -> Any:
    raise Teapot("short and stout")


def require_token(f: Callable[..., Any]) -> Callable[..., Any]:
    """An x-decorate-server decorator: a bearer token is required."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if flask.request.headers.get("Authorization") != "Bearer let-me-in":
            r = flask.jsonify({"error": "UNAUTHORIZED"})
            r.status_code = 401
            return r
        return f(*args, **kwargs)

    return wrapper


def get_user(id: str, uppercase: bool | None = None) -> Any:
    User = ApiPool.user.model.User
    user = User.load_from_db(id)  # type: ignore[attr-defined]  # injected by x-persist
    if user is None:
        return ApiPool.user.model.Error(error=f"no user {id}"), 404
    if uppercase:
        user.name = user.name.upper()
        user.surname = user.surname.upper()
    return user


def create_user(body: Any) -> Any:
    User = ApiPool.user.model.User
    user = User(id=f"{body.name}.{body.surname}".lower(), name=body.name, surname=body.surname)
    user.save_to_db()
    return user, 201


def analytics_wrapper(f: Callable[..., Any]) -> Callable[..., Any]:
    """The README's global decorator: record every call (with its call id)."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        CALLS.append(f"{flask.request.method} {flask.request.path} {current_call_id()}")
        return f(*args, **kwargs)

    return wrapper


def chain() -> Any:
    """Calls the public API from inside a request: the call id and path travel along."""
    version = ApiPool.public.client.version()
    return ApiPool.login.model.Welcome(message=f"{version.call_id} {version.call_path}")


def with_token(f: Callable[..., Any]) -> Callable[..., Any]:
    """An x-decorate-request decorator: add the bearer token to client calls."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("request_headers", None) or {})
        headers.setdefault("Authorization", "Bearer let-me-in")
        return f(*args, request_headers=headers, **kwargs)

    return wrapper


def form_echo(item: str, num: int | None = None) -> Any:
    """formData fields arrive as typed keyword arguments (legacy answered 500)."""
    return ApiPool.public.model.Echo(item=item, num=num)


def abort_404() -> Any:
    flask.abort(404)


def refuse() -> Any:
    raise ValidationError("the 'when' argument must be in the future")


def accepted() -> Any:
    return ApiPool.public.model.Version(version="x"), 202


def kwargs_echo(**kwargs: Any) -> Any:
    return kwargs
