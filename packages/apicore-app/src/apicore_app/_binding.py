"""How ``Api`` binds a request to a function (:func:`bind_request`) or an operation (``Binding``).

Plain functions, which read only a JSON body or the query, are bound inline by the pipeline.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from apicore_app._forms import FormData, FormLimits, close_uploads, parse_form
from apicore_app._http import Request, Response, parse_cookies
from apicore_introspect import FunctionOperation, RequestParts


def bind_request(
    operation: FunctionOperation,
    request: Request,
    path: Mapping[str, str],
    *,
    from_query: bool,
    form_limits: FormLimits,
    request_id: str,
) -> tuple[tuple[Any, ...], dict[str, Any], FormData | None]:
    """Bind every argument of a non-plain function; returns the parsed form too.

    The caller closes the form's uploads when the request is over (``close_uploads``).

    Raises:
        FormError: A malformed (400) or oversize (413) form body.
        apicore_introspect.RequestError: Bad JSON (400) or invalid arguments (422).
    """
    headers = request.headers.lower_map_view()
    form = None
    if operation.form:
        content_type = headers.get("content-type", "")
        form = parse_form(content_type, request.body, form_limits) if request.body else {}
    query = request.query()
    grouped: dict[str, list[str]] = {}
    for name, value in query:
        grouped.setdefault(name, []).append(value)
    parts = RequestParts(
        headers=headers,
        cookies=parse_cookies(headers.get("cookie")),
        query=grouped,
        form=form,
    )
    try:
        args, kwargs = operation.bind(
            None if operation.form else request.body,
            query=query if from_query else None,
            path=path,
            parts=parts,
        )
    except BaseException:
        close_uploads(form)
        raise
    if operation.injected:
        view = request.view(request_id)
        for parameter in operation.injected:
            kwargs[parameter.name] = view
    return args, kwargs, form


class Binding(Protocol):
    """One operation as ``Api`` serves it through ``Api.add_operation``.

    The pipeline routes the request, checks auth and the body size, and answers bodies of a
    media type outside ``body_types`` with a 415 (rendered by :meth:`error`); the binding
    does the rest.

    Attributes:
        name: Names the operation in logs (``pets.create_pet``).
        func: The function the call runs, with what :meth:`bind` returns.
        is_async: ``func`` is a coroutine function (awaited on the event loop).
        body_types: Media types a request body may have (lower case, no parameters), or
            ``None`` when :meth:`bind` checks them itself.
    """

    name: str
    func: Callable[..., Any]
    is_async: bool
    body_types: frozenset[str] | None

    def bind(
        self, request: Request, path: Mapping[str, str]
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """The call's arguments from the request and its path parameters (still text).

        A bad request raises what :meth:`error` renders.
        """

    def dump(self, result: Any) -> Response:
        """The response for what ``func`` returned."""

    def error(self, exc: Exception) -> Response | None:
        """The response for a failure of :meth:`bind`, of ``func`` or of :meth:`dump`.

        The pipeline's own refusals (415, 413) come as an ``HTTPError``. ``None`` leaves it
        to the pipeline: an ``HTTPError`` answers its problem, a mapped framework exception
        its mapping, anything else a logged 500.
        """
