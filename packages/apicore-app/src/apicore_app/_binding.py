"""Binding for functions that read more than the JSON body.

Headers, cookies, forms and the request itself.

Plain functions never come here (``FunctionOperation.plain``): the pipeline binds them with
``FunctionOperation.bind`` alone, so their hot path is unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apicore_app._forms import FormData, FormLimits, close_uploads, parse_form
from apicore_app._http import Request, parse_cookies
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
