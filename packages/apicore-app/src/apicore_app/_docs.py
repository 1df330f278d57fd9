"""The built-in documentation routes: the OpenAPI document, Swagger UI, ReDoc and assets."""

from __future__ import annotations

from collections.abc import Callable

from apicore_app._http import Response, problem, problem_response


class DocsRoutes:
    """Answers ``GET`` requests for the docs paths (a path set to ``None`` is not served).

    The document is ``document(version)``'s JSON (``?version=3.0`` asks for 3.0.3); the pages'
    assets are under ``<docs_path>/assets/``. apicore_openapi loads with the first docs
    request, not with the app (issue 19).
    """

    def __init__(
        self,
        *,
        openapi_path: str | None,
        docs_path: str | None,
        redoc_path: str | None,
        swagger_path: str | None,
        docs_ui: str,
        document: Callable[[str], bytes],
        title: Callable[[], str],
    ) -> None:
        self.openapi_path = openapi_path
        self._document = document
        self._title = title
        self._assets = f"{docs_path or '/docs'}/assets"
        main = "redoc" if docs_ui == "redoc" else "swagger"
        self._main = docs_path
        self._pages = {
            path: kind
            for path, kind in ((redoc_path, "redoc"), (swagger_path, "swagger"), (docs_path, main))
            if path is not None
        }
        self._html: dict[str, bytes] = {}

    def line(self, base_url: str) -> str | None:
        """``Docs: <base_url><main page> (also <other pages>, <document>)``, or ``None``."""
        paths = sorted(self._pages, key=lambda path: path != self._main)
        if self.openapi_path is not None:
            paths.append(self.openapi_path)
        if not paths:
            return None
        also = f" (also {', '.join(paths[1:])})" if len(paths) > 1 else ""
        return f"Docs: {base_url}{paths[0]}{also}"

    def clear(self) -> None:
        """Forget the built pages (the title may have changed)."""
        self._html.clear()

    def owns(self, path: str) -> bool:
        """Whether ``path`` is one of the docs paths."""
        return (
            path == self.openapi_path or path in self._pages or path.startswith(self._assets + "/")
        )

    def answer(self, path: str, query_string: str) -> Response | None:
        """The response for a docs path, or ``None`` when ``path`` is not one."""
        if path == self.openapi_path:
            version = "3.0.3" if query_string.startswith("version=3.0") else "3.1.0"
            return Response.json(200, self._document(version))
        kind = self._pages.get(path)
        if kind is not None:
            from apicore_openapi import DOCS_CONTENT_SECURITY_POLICY

            headers = [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Security-Policy", DOCS_CONTENT_SECURITY_POLICY),
                ("X-Content-Type-Options", "nosniff"),
            ]
            return Response.raw(200, self._page(kind), headers)
        if path.startswith(self._assets + "/"):
            from apicore_openapi import AssetNotFoundError, asset

            try:
                content, content_type = asset(path.removeprefix(self._assets + "/"))
            except AssetNotFoundError:
                return problem_response(problem(404, f"No asset {path}"))
            return Response.raw(200, content, [("Content-Type", content_type)])
        return None

    def _page(self, kind: str) -> bytes:
        page = self._html.get(kind)
        if page is None:
            from apicore_openapi import redoc_html, swagger_ui_html

            render = redoc_html if kind == "redoc" else swagger_ui_html
            text = render(self.openapi_path or "", title=self._title(), assets_url=self._assets)
            page = self._html[kind] = text.encode("utf-8")
        return page
