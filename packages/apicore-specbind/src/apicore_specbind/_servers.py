"""Where a spec says requests go: its first server URL, variables set (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from apicore_specbind._errors import ServerURLError

if TYPE_CHECKING:
    from apicore_specbind._spec import Spec

_VARIABLE = re.compile(r"{([^{}]+)}")


def server_url(spec: Spec) -> str | None:
    """See :attr:`Spec.server_url`."""
    if spec.spec_version == "2.0":
        host = spec.document.get("host")
        base = spec.base_path
        if not host:
            return base or None
        schemes = spec.schemes
        scheme = "https" if "https" in schemes else (schemes[0] if schemes else "http")
        return f"{scheme}://{host}{base}"
    servers = spec.document.get("servers") or ()
    if not isinstance(servers, list | tuple):
        # only a spec loaded with validate="warn"/"off" gets here
        raise ServerURLError("the spec's 'servers' must be a list of server objects")
    if (
        not servers
        or not isinstance(servers[0], Mapping)
        or not isinstance(servers[0].get("url"), str)
    ):
        return None
    first = servers[0]
    variables = first.get("variables")
    if not isinstance(variables, Mapping):
        variables = {}

    def default(match: re.Match[str]) -> str:
        var = variables.get(match.group(1))
        if isinstance(var, Mapping) and "default" in var:
            return str(var["default"])
        raise ServerURLError(
            f"the server URL {first['url']!r} uses {{{match.group(1)}}} without a default"
        )

    return _VARIABLE.sub(default, str(first["url"]))
