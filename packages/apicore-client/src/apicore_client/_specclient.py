"""Clients built from a spec: one method per operation, over the retrying clients.

What the client needs from the spec is worked out once in ``_binding`` (signatures, docs and
the server URL come from apicore-specbind, policies and the base URL are the client's);
request building and response decoding are apicore-specbind's. This module wires them to the
retrying :class:`~apicore_client.Client` / :class:`~apicore_client.AsyncClient`.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import re
import types
import warnings
import weakref
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Self

import httpx

from apicore_client._binding import (
    RESERVED_NAMES,
    BoundOperation,
    bind_operations,
    resolve_base_url,
    retry_extension,
)
from apicore_client._errors import (
    ArgumentError,
    ArgumentValidationError,
    ClientError,
    ConfigError,
    ResponseValidationError,
)
from apicore_client._history import attempts_of
from apicore_client._lifecycle import AsyncClosing, Closing
from apicore_client._policy import RetryPolicy, Timeouts
from apicore_specbind import (
    ClientArgumentError,
    RequestValidationError as SpecRequestValidationError,
    ResponseValidationError as SpecResponseValidationError,
    Spec,
    SpecError,
)

if TYPE_CHECKING:  # the clients build these: never imported back at run time
    from apicore_client._client import AsyncClient, Client, RequestOptions


@dataclass(frozen=True, slots=True)
class _Overrides:
    retry: RetryPolicy | None = None
    timeouts: Timeouts | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


def _function(bound: BoundOperation, *, asynchronous: bool) -> Callable[..., Any]:
    async def call_async(self: AsyncSpecClient, *args: Any, **kwargs: Any) -> Any:
        return await self._invoke(bound, args, kwargs, raw=False)

    def call_sync(self: SpecClient, *args: Any, **kwargs: Any) -> Any:
        return self._invoke(bound, args, kwargs, raw=False)

    function: Callable[..., Any] = call_async if asynchronous else call_sync
    me = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    signature = bound.signature.replace(parameters=[me, *bound.signature.parameters.values()])
    # what help() and inspect.signature() show: the operation, not *args/**kwargs
    for name, value in (
        ("__name__", bound.name),
        ("__qualname__", bound.name),
        ("__doc__", bound.doc),
        ("__signature__", signature),
    ):
        setattr(function, name, value)
    return function


def _class_name(spec: Spec, *, asynchronous: bool) -> str:
    words = re.findall(r"[A-Za-z0-9]+", spec.title)
    name = "".join(w[:1].upper() + w[1:] for w in words) or "Api"
    if name[0].isdigit():
        name = "Api" + name
    return f"{name}{'AsyncClient' if asynchronous else 'Client'}"


# The specialised classes of each live spec (they do not refer to it, so it can be collected).
_SPECIALISED: weakref.WeakKeyDictionary[Spec, dict[tuple[type, bool], type[Any]]] = (
    weakref.WeakKeyDictionary()
)


def _legacy() -> Any:
    """pymacaron-core, where the deprecated ``legacy_kwargs`` are handled now."""
    try:
        return importlib.import_module("pymacaron_core")
    except ImportError as exc:
        raise ConfigError(
            "legacy_kwargs=True needs pymacaron-core (pip install pymacaron-core), which now "
            "handles pymacaron's magic keyword arguments"
        ) from exc


class _SpecBase:
    """What both spec-driven clients share: operations, argument handling, decoding."""

    _functions: ClassVar[Mapping[str, Callable[..., Any]]] = {}
    _bound: ClassVar[Mapping[str, BoundOperation]] = {}
    _asynchronous: ClassVar[bool] = False

    @classmethod
    def _specialise(cls, spec: Spec, *, legacy_kwargs: bool) -> type[Any]:
        """A subclass with one method per operation (so ``help()`` lists them).

        Made once per spec (a spec loaded again from an unchanged file is the same object),
        so a second client for it costs no more than opening a connection pool.
        """
        made = _SPECIALISED.setdefault(spec, {})
        key = (cls, legacy_kwargs)
        found = made.get(key)
        if found is None:
            found = made[key] = cls._make_class(spec, legacy_kwargs=legacy_kwargs)
        return found

    @classmethod
    def _make_class(cls, spec: Spec, *, legacy_kwargs: bool) -> type[Any]:
        extra = _legacy().LEGACY_PARAMETERS if legacy_kwargs else ()
        bound = bind_operations(spec, extra=extra)
        functions = {b.name: _function(b, asynchronous=cls._asynchronous) for b in bound}
        namespace: dict[str, Any] = {
            name: fn
            for name, fn in functions.items()
            if name not in RESERVED_NAMES and not name.startswith("_")
        }
        namespace["_functions"] = functions
        namespace["_bound"] = {b.name: b for b in bound}
        namespace["__doc__"] = (
            f"{spec.title or 'API'} {spec.api_version} ({spec.spec_version}): "
            f"{len(bound)} operations.\n\n{cls.__doc__ or ''}"
        )
        namespace["__module__"] = cls.__module__
        return type(_class_name(spec, asynchronous=cls._asynchronous), (cls,), namespace)

    def __new__(cls, client: Any, spec: Spec, **options: Any) -> Self:
        if "_bound" not in vars(cls):  # the generic class: make this spec's subclass
            cls = cls._specialise(spec, legacy_kwargs=bool(options.get("legacy_kwargs")))
        return super().__new__(cls)

    def __init__(
        self,
        client: Any,
        spec: Spec,
        *,
        base_url: str | None = None,
        retry: RetryPolicy | None = None,
        owns: bool = True,
        validate_responses: bool = True,
        legacy_kwargs: bool = False,
    ) -> None:
        self.client = client
        self.spec = spec
        self.base_url = resolve_base_url(spec, base_url)
        self._retry = retry or retry_extension(spec.document, "the spec's root") or client.retry
        self._owns = owns
        self._validate_responses = validate_responses
        self._legacy_kwargs = legacy_kwargs
        self._overrides = _Overrides()
        if legacy_kwargs:
            warnings.warn(
                "legacy_kwargs=True is deprecated: pymacaron-core's magic keyword arguments "
                "are handled by pymacaron_core.ApiClient (ApiPool.<api>.client); use "
                "with_options(retry=..., timeouts=..., headers=...) for per-call options",
                DeprecationWarning,
                stacklevel=2,
            )

    @property
    def operations(self) -> Mapping[str, Callable[..., Any]]:
        """Every operation's method by name, those named like a client attribute included."""
        return {name: types.MethodType(fn, self) for name, fn in self._functions.items()}

    def _lookup(self, name: str) -> BoundOperation:
        try:
            return self._bound[name]
        except KeyError:
            raise AttributeError(self._unknown(name)) from None

    def _unknown(self, name: str) -> str:
        names = ", ".join(self._bound) or "none"
        return f"{type(self).__name__} has no operation {name!r}; operations: {names}"

    def __getattr__(self, name: str) -> Any:
        # only reached for missing attributes: say which operations exist
        if name.startswith("__"):  # copy, pickle and friends probe for these
            raise AttributeError(name)
        raise AttributeError(self._unknown(name))

    def _prepare(
        self, bound: BoundOperation, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[str, str, RequestOptions]:
        op = bound.operation
        retry = self._overrides.retry or bound.retry or self._retry
        timeouts = self._overrides.timeouts
        extra: dict[str, str] = {}
        if self._legacy_kwargs:
            legacy = _legacy().pop_call_options(
                op, kwargs, retry=retry, timeouts=timeouts or self.client.timeouts
            )
            if legacy is not None:
                retry, timeouts = legacy.retry, legacy.timeouts
                extra.update(legacy.headers)
        try:
            out = op.build_request(*args, **kwargs)
        except ClientArgumentError as exc:
            raise ArgumentError(str(exc)) from exc
        except SpecRequestValidationError as exc:
            errors = [e.to_dict() for e in exc.errors]
            listed = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors[:5])
            raise ArgumentValidationError(
                f"{bound.name}: {exc.detail} {listed}; nothing was sent", errors=errors
            ) from exc
        headers: dict[str, str] = {}
        if bound.accept is not None:
            headers["Accept"] = bound.accept
        headers.update(out.headers)
        if out.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in out.cookies.items())
        headers.update(self._overrides.headers)
        headers.update(extra)
        options: RequestOptions = {"headers": headers, "retry": retry}
        if out.query:
            options["params"] = list(out.query)
        if out.body is not None:
            options["content"] = out.body
        if timeouts is not None:
            options["timeouts"] = timeouts
        return out.method, self.base_url + out.path, options

    def _invoke(
        self, bound: BoundOperation, args: tuple[Any, ...], kwargs: dict[str, Any], *, raw: bool
    ) -> Any:
        method, url, options = self._prepare(bound, args, dict(kwargs))
        with self._error_bodies(bound):
            response = self.client.request(method, url, **options)
        return response if raw else self._decode(bound, response)

    def call(self, operation: str, /, *args: Any, **kwargs: Any) -> Any:
        """Call an operation by name: ``api.call("get_pet", pet_id=1)``."""
        return self._invoke(self._lookup(operation), args, kwargs, raw=False)

    def request(self, operation: str, /, *args: Any, **kwargs: Any) -> Any:
        """Call an operation by name and return the :class:`httpx.Response`, not decoded.

        Arguments are validated and errors raised as for :meth:`call`; read the attempt
        history with :func:`apicore_client.attempts_of`.
        """
        return self._invoke(self._lookup(operation), args, kwargs, raw=True)

    def _decode(self, bound: BoundOperation, response: httpx.Response) -> Any:
        try:
            return bound.operation.decode_response(
                response.status_code,
                response.content,
                response.headers.get("content-type"),
                validate=self._validate_responses,
            )
        except SpecResponseValidationError as exc:
            raise ResponseValidationError(
                f"{bound.name}: {exc}; load the client with validate_responses=False to accept it",
                response=response,
                attempts=attempts_of(response),
                validation_errors=[e.to_dict() for e in exc.errors],
            ) from exc

    @staticmethod
    @contextlib.contextmanager
    def _error_bodies(bound: BoundOperation) -> Iterator[None]:
        """Decode the body of an error response by the spec (best effort) on its way out."""
        try:
            yield
        except ClientError as exc:
            if exc.response is not None:
                _attach(bound, exc, exc.response)
            raise

    def with_options(
        self,
        *,
        retry: RetryPolicy | None = None,
        timeouts: Timeouts | float | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Self:
        """A view of this client whose calls use these options (same connection pool).

        Args:
            retry: A policy for every operation (over ``x-apicore-retry``).
            timeouts: Per-attempt timeouts.
            headers: Extra headers of every call.
        """
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone._overrides = _Overrides(
            retry=retry or self._overrides.retry,
            timeouts=self._overrides.timeouts if timeouts is None else Timeouts.of(timeouts),
            headers={**self._overrides.headers, **(headers or {})},
        )
        clone._owns = False  # the connection pool stays the original's to close
        return clone

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.base_url} ({len(self._bound)} operations)>"


def _attach(bound: BoundOperation, exc: ClientError, response: httpx.Response) -> None:
    """Decode an error response's body by the spec (best effort, never raises).

    An ``application/problem+json`` answer to a response declared as JSON (as Swagger 2.0
    specs must declare it) is decoded by the declared JSON schema: specbind reads any JSON
    answer by the declared JSON entry.
    """
    try:
        exc.body = bound.operation.decode_response(
            response.status_code,
            response.content,
            response.headers.get("content-type"),
            validate=False,
        )
    except (SpecError, ValueError, TypeError):
        exc.body = None


class SpecClient(Closing, _SpecBase):
    """A client built from a spec, with one method per operation (see ``Client.from_spec``).

    ``api.get_pet(pet_id=1)`` validates the arguments, sends the request through the
    retrying :class:`~apicore_client.Client` (``api.client``) with the operation's retry
    policy, and returns the decoded body (model instances of ``api.spec.models``).

    Build it with ``Client.from_spec`` / ``from_url`` / ``from_app``, or directly around a
    client you configured: ``SpecClient(Client(...), spec)`` (the instance is then of a
    subclass made for ``spec``).

    Args:
        client: The retrying client to send with (closed by :meth:`close` when ``owns``).
        spec: The loaded spec.
        base_url: What operation paths are appended to (default: from the spec's servers).
        retry: The client-wide policy (default: the root ``x-apicore-retry``, else the
            client's policy); an operation's own ``x-apicore-retry`` wins over it.
        owns: Close ``client`` on :meth:`close`.
        validate_responses: Check answers against the spec.
        legacy_kwargs: Accept pymacaron-core's magic keyword arguments per call.

    Attributes:
        spec: The loaded :class:`apicore_specbind.Spec`.
        client: The retrying client that sends the requests.
        base_url: What operation paths are appended to.
    """

    client: Client

    def _pool(self) -> Client:
        return self.client


class AsyncSpecClient(AsyncClosing, _SpecBase):
    """The asyncio form of :class:`SpecClient`: ``await api.get_pet(pet_id=1)``.

    Attributes:
        spec: The loaded :class:`apicore_specbind.Spec`.
        client: The retrying :class:`~apicore_client.AsyncClient` that sends the requests.
        base_url: What operation paths are appended to.
    """

    _asynchronous: ClassVar[bool] = True
    client: AsyncClient

    def _pool(self) -> AsyncClient:
        return self.client

    # Coroutine functions, so that nothing (not even a bad argument) raises before the await.
    async def call(self, operation: str, /, *args: Any, **kwargs: Any) -> Any:
        """Call an operation by name: ``await api.call("get_pet", pet_id=1)``."""
        return await self._invoke(self._lookup(operation), args, kwargs, raw=False)

    async def request(self, operation: str, /, *args: Any, **kwargs: Any) -> Any:
        """Call an operation by name and return the :class:`httpx.Response`, not decoded."""
        return await self._invoke(self._lookup(operation), args, kwargs, raw=True)

    async def _invoke(
        self, bound: BoundOperation, args: tuple[Any, ...], kwargs: dict[str, Any], *, raw: bool
    ) -> Any:
        method, url, options = self._prepare(bound, args, dict(kwargs))
        with self._error_bodies(bound):
            response = await self.client.request(method, url, **options)
        return response if raw else self._decode(bound, response)
