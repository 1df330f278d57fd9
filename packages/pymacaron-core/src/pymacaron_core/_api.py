"""One loaded API: its spec, models, server routes and client (legacy ``API`` object)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import flask
import httpx
from werkzeug.exceptions import HTTPException

import apicore_specbind
from apicore_app import Api
from apicore_introspect import render_problem
from apicore_specbind import (
    Format,
    Model,
    ModelNamespace,
    RequestValidationError,
    Spec,
    SpecLimits,
    UnknownModelError,
    load_spec,
)
from pymacaron_core._binding import (
    Decoder,
    ErrorCallback,
    default_error_callback,
    describe_errors,
)
from pymacaron_core._client import ApiClient, legacy_base_url, make_client
from pymacaron_core._legacy import LEGACY_DEFAULT_TIMEOUT
from pymacaron_core._server import Decorator, SpecRoute, build_api, mount_flask
from pymacaron_core.exceptions import PyMacaronCoreException, SpecLoadError, ValidationError


class API:
    """A Swagger 2.0 / OpenAPI 3.x API added to the pool: ``ApiPool.add(name, ...)`` makes one.

    Attributes:
        name: The name it was added under (used in call paths).
        spec: The loaded :class:`apicore_specbind.Spec` (legacy alias ``api_spec``).
        model: The model classes: ``api.model.Credentials``.
        error_callback: Turns an exception into the value to answer with (legacy).
        client_timeout: Default connect and read timeout of client calls, in seconds.
        local: Client calls go to the Flask app in-process once it is spawned (legacy).
        is_server: ``spawn_api`` was called.
        app: The Flask app it was spawned on, or ``None``.
        routes: The routes added by ``spawn_api``.
    """

    def __init__(
        self,
        name: str,
        *,
        yaml_str: str | None = None,
        yaml_path: str | os.PathLike[str] | None = None,
        spec: Spec | None = None,
        timeout: float = LEGACY_DEFAULT_TIMEOUT,
        error_callback: ErrorCallback | None = None,
        formats: Iterable[Format] | None = None,
        do_persist: bool = True,
        host: str | None = None,
        port: int | None = None,
        proto: str | None = None,
        verify_ssl: bool = True,
        local: bool = False,
        base_path: str | None = None,
        base_url: str | None = None,
        validation_status: int = 400,
        validate_responses: bool = True,
        validate: Literal["strict", "warn", "off"] = "strict",
        limits: SpecLimits | None = None,
        decoders: Mapping[str, Decoder] | None = None,
        max_body_size: int = 1024 * 1024,
    ) -> None:
        """Load the spec and build the models.

        Args:
            name: The API's name.
            yaml_str: The spec as YAML or JSON text.
            yaml_path: The spec's file (preferred over ``yaml_str``, as legacy).
            spec: An already loaded spec (instead of text or a file).
            timeout: Default client timeout in seconds (legacy default 10).
            error_callback: ``callback(exception) -> model | dict | Response``; the default
                re-raises, which answers an RFC 9457 problem document.
            formats: Extra string formats (``apicore_specbind.Format``).
            do_persist: Honour ``x-persist`` on definitions.
            host: Client target host, overriding the spec's.
            port: Client target port, overriding the spec's scheme default.
            proto: Client scheme (``http``/``https``), overriding the spec's.
            verify_ssl: Verify TLS certificates on client calls.
            local: Client calls go through the spawned Flask app in-process.
            base_path: Prefix of every path, for the server routes and the client (default:
                none, paths verbatim as legacy; ``api.spec.base_path`` is the spec's).
            base_url: Where the client sends requests, overriding host/port/proto entirely.
            validation_status: Status of request validation errors (400, legacy).
            validate_responses: Check handler results against the spec (on by default).
            validate: How a spec that breaks the OpenAPI meta-schema is treated: refused
                (``"strict"``), loaded with warnings (``"warn"``) or loaded unchecked
                (``"off"``); see :func:`apicore_specbind.load_spec`.
            limits: Bounds on the spec documents (size, nesting, YAML aliases).
            decoders: Readers of request bodies in media types that are not JSON, forms or
                text, by media type (``{"application/xml": parse}``): what they return is
                validated like JSON. Without one, such a body is a 415.
            max_body_size: Largest accepted JSON body in bytes (413 beyond); forms have
                apicore-app's form limit.

        Raises:
            PyMacaronCoreException: no spec was given.
            SpecLoadError: the spec is invalid (every issue listed); both a
                ``PyMacaronCoreException`` and an ``apicore_specbind.SpecLoadError``.
        """
        options: dict[str, Any] = {
            "formats": tuple(formats or ()),
            "persist": do_persist,
            "validation_status": validation_status,
            "validate_responses": validate_responses,
            "validate": validate,
            "limits": limits,
        }
        try:
            if spec is not None:
                loaded = spec
            elif yaml_path is not None:
                loaded = load_spec(Path(yaml_path), **options)
            elif yaml_str is not None:
                loaded = Spec.from_string(yaml_str, **options)  # text, never a file name
            else:
                raise PyMacaronCoreException(
                    f"No swagger file specified for api {name!r}: "
                    "pass yaml_path=... or yaml_str=..."
                )
        except apicore_specbind.SpecLoadError as exc:
            raise SpecLoadError(exc.issues, source=exc.source) from exc
        self.name = name
        self.spec = loaded
        self.model: ModelNamespace = loaded.models
        self.client_timeout = timeout
        self.error_callback: ErrorCallback = error_callback or default_error_callback
        self.host = host
        self.port = port
        self.proto = proto
        self.verify_ssl = verify_ssl
        self.local = local
        self.base_path = base_path
        self.base_url = base_url
        self.is_server = False
        self.decoders = dict(decoders or {})
        self.max_body_size = max_body_size
        self.app: Any = None
        self.server: Api | None = None
        self.routes: list[SpecRoute] = []
        self._client: ApiClient | None = None

    @property
    def api_spec(self) -> Spec:
        """Legacy name of :attr:`spec`."""
        return self.spec

    # -- server ---------------------------------------------------------------------------
    def spawn_api(
        self,
        app: Any,
        decorator: Decorator | None = None,
        *,
        base_path: str | None = None,
    ) -> None:
        """Serve every operation bound with ``x-bind-server`` on a Flask or Starlette app.

        The operations are served by an ``apicore_app.Api`` (``api.server``); the app gets
        one route per operation, and the spec's ``/docs``, ``/redoc``, ``/swagger`` and
        ``/openapi.json`` where no other route has them. A Flask app answers unknown paths
        with a JSON 404 (405 for a wrong method); a plain Starlette app too.

        Args:
            app: The Flask app, Starlette app or ``asymmetric.Asymmetric`` to populate;
                handlers may be ``async def`` on Starlette.
            decorator: Wraps every route's Flask view (legacy; any callable now; Flask
                only: on Starlette use ``x-decorate-server``).
            base_path: Prefix for every route; default: the API's ``base_path``, itself
                ``None`` by default: the spec's paths verbatim, as legacy (``basePath`` ignored).
                Pass ``api.spec.base_path`` to honour the spec's.

        Raises:
            SpawnError: a handler or decorator cannot be imported, or an operation has no
                binding and no ``x-no-bind-server``.
            TypeError: ``app`` is neither Flask nor Starlette, or a ``decorator`` is given
                with a Starlette app.
        """
        if decorator is not None and not callable(decorator):
            raise TypeError(f"decorator must be callable, got {type(decorator).__name__}")
        is_flask = isinstance(app, flask.Flask)
        target = app if is_flask else getattr(app, "app", app)  # asymmetric's Starlette app
        if not is_flask and not hasattr(getattr(target, "router", None), "routes"):
            raise TypeError(f"spawn_api needs a Flask or Starlette app, not {type(app).__name__}")
        if not is_flask and decorator is not None:
            raise TypeError("decorator wraps Flask views; on Starlette use x-decorate-server")
        self.server, self.routes = build_api(
            self.spec.operations,
            error_callback=lambda: self.error_callback,
            base_path=(base_path if base_path is not None else self.base_path) or "",
            decoders=self.decoders,
            title=self.spec.title,
            version=self.spec.api_version or "0.1.0",
            max_body_size=self.max_body_size,
            passthrough=(HTTPException,) if is_flask else _starlette_exceptions(),
        )
        self.server.serve_document(self.spec.document)
        if is_flask:
            mount_flask(app, self.server, self.routes, self.name, decorator)
        else:
            from pymacaron_core._starlette import mount_starlette

            mount_starlette(target, self.server, self.routes, self.name)
        self.is_server = True
        self.app = app
        if self.local and self._client is not None:
            self._client.close()
            self._client = None  # a local client now goes through the app

    # -- models -----------------------------------------------------------------------------
    def get_version(self) -> str:
        """``info.version`` of the spec (``""`` if missing)."""
        return self.spec.api_version

    def model_to_json(self, obj: Any, *, keep_datetime: bool = False) -> Any:
        """The JSON-able data of a model (or of any value holding models)."""
        if isinstance(obj, Model):
            return obj.to_json(keep_datetime=keep_datetime)
        return self.spec.model_to_json(obj)

    def json_to_model(
        self, model_name: str, j: Any, validate: bool = False, keep_datetime: bool = False
    ) -> Any:
        """Build a model instance from JSON data (the legacy one always raised).

        Args:
            model_name: The definition's name.
            j: A JSON object (dict) or JSON text.
            validate: Check the data against the definition first.
            keep_datetime: Accepted for compatibility: dates are always converted.

        Raises:
            ValidationError: ``validate`` is set and the data does not fit, or the name is
                unknown.
        """
        del keep_datetime  # specbind always turns date strings into date objects
        if validate:
            self.validate(model_name, j)
        try:
            return self.spec.json_to_model(model_name, j)
        except UnknownModelError as exc:
            raise ValidationError(str(exc)) from exc

    def validate(self, model_name: str, obj: Any) -> None:
        """Check data (or a model) against a definition (legacy ``ApiSpec.validate``).

        Raises:
            ValidationError: the name is unknown or the data does not fit; the message lists
                every failure.
        """
        try:
            self.spec.validate_model(model_name, obj)
        except UnknownModelError as exc:
            raise ValidationError(str(exc)) from exc
        except RequestValidationError as exc:
            detail = describe_errors(exc.errors, root="<root>")
            raise ValidationError(
                f"{model_name} is invalid: {detail}", problem=render_problem(exc)
            ) from exc

    # -- client -----------------------------------------------------------------------------
    @property
    def client(self) -> ApiClient:
        """The client of this API: ``api.client.<x-bind-client>(...)`` (built on first use).

        Remote by default (``base_url``, else the spec's host and scheme with the
        ``host``/``port``/``proto`` overrides); with ``local=True`` and once spawned, calls
        go to the Flask app in-process.

        Raises:
            PyMacaronCoreException: no host is known (set ``host`` in the spec or pass it).
        """
        if self._client is None:
            transport: httpx.BaseTransport | None = None
            base_path = self.base_path or ""
            if self.local and isinstance(self.app, flask.Flask):
                transport = httpx.WSGITransport(app=self.app)
                base_url = "http://localhost" + base_path.rstrip("/")
            elif self.base_url is not None:
                base_url = self.base_url
            else:
                base_url = legacy_base_url(
                    self.spec, host=self.host, port=self.port, proto=self.proto, base_path=base_path
                )
            self._client = make_client(
                self.spec,
                base_url=base_url,
                timeout=self.client_timeout,
                verify_ssl=self.verify_ssl,
                error_callback=lambda: self.error_callback,
                transport=transport,
            )
        return self._client

    def __repr__(self) -> str:
        return f"<API {self.name!r} {self.spec.title!r} {self.spec.spec_version}>"


def _starlette_exceptions() -> tuple[type[BaseException], ...]:
    from starlette.exceptions import HTTPException as StarletteHTTPException

    return (StarletteHTTPException,)
