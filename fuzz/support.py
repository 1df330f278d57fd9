"""Settings shared by the fuzz tests: one schemathesis configuration, one extra check."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import schemathesis
from schemathesis import Case, CheckContext, Response
from schemathesis.core.failures import Failure, FailureGroup

TOKEN = os.environ["APICORE_API_KEY"]
CALLBACK_URL = os.environ["FUZZ_CALLBACK_URL"]

# Bounded per operation so the whole suite stays within a few minutes on 2 cores;
# raise it locally (FUZZ_MAX_EXAMPLES=1000) for a deeper run.
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "200"))
# Stateful runs (sequences of calls that follow the spec's links) are costlier per example.
STATEFUL_EXAMPLES = max(1, MAX_EXAMPLES // 4)
# A fixed seed keeps CI reproducible (and the strict xfails stable); FUZZ_SEED=random explores.
_SEED = os.environ.get("FUZZ_SEED", "20261123")
RANDOM_SEED = _SEED == "random"


def config(
    *,
    auth: dict[str, Any] | None = None,
    parameters: dict[str, str] | None = None,
    max_examples: int | None = None,
) -> schemathesis.Config:
    """All checks (the default), positive and negative data, the given auth and fixed values."""
    data: dict[str, Any] = {
        # No example database: runs do not depend on (or write) a local .hypothesis folder.
        "generation": {
            "mode": "all",
            "max-examples": max_examples or MAX_EXAMPLES,
            "database": "none",
        },
        "parameters": parameters or {},
    }
    if auth:
        data["auth"] = {"openapi": auth}
    if not RANDOM_SEED:
        data["seed"] = int(_SEED)
    return schemathesis.Config.from_dict(data)


def token_is_used(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Positive cases carry the valid token, so a 401 means the fuzzer's auth is not applied.

    `positive_data_acceptance` tolerates 401/403 on secured operations; without this check a
    broken token set-up would silently skip every authenticated code path.
    """
    meta = case.meta
    if meta is not None and meta.generation.mode.is_positive:
        assert response.status_code != 401, "the configured valid token was refused"
    return None


# A known package bug: which failures it explains (given the failure, case and response).
KnownBug = Callable[[Failure, Case, Response], bool]


def call_and_validate(
    case: Case, *, known_bugs: tuple[KnownBug, ...] = (), base_url: str | None = None
) -> None:
    """`case.call_and_validate()` with every check, tolerating only the listed known bugs.

    Each known bug has a minimal reproduction marked `xfail(strict=True)` in the test
    module, which turns red once the package is fixed; then drop it from `known_bugs` too.
    Any other failure, or a known bug's failure mixed with another one, still fails.
    ``base_url`` sends the request to a running server instead of the schema's app.
    """
    response = case.call(base_url=base_url) if base_url else case.call()
    try:
        case.validate_response(response, additional_checks=[token_is_used])
    except FailureGroup as group:
        unexplained = [
            failure
            for failure in group.exceptions
            if not any(bug(failure, case, response) for bug in known_bugs)
        ]
        if unexplained:
            raise


def form_text_type_mutation(failure: Failure, case: Case, response: Response) -> bool:
    """Not a bug: in a form body every value is text, so a string field cannot be "wrong".

    schemathesis' negative data turns a string form field into a number or a boolean, which a
    multipart or URL-encoded body can only send as its text ("3", "true"): a valid string.
    Only that mutation of a string field of a form body is explained, nothing else.
    """
    message = str(failure)
    return (
        type(failure).__name__ == "AcceptedNegativeData"
        and (case.media_type or "").startswith(
            ("multipart/form-data", "application/x-www-form-urlencoded")
        )
        and "violates `type`" in message
        and "(was string," in message
    )
