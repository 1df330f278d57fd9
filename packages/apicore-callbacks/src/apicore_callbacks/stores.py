"""For those who write a job store or an executor: the store contract and the state machine.

A store implements :class:`JobStore` and persists what :mod:`the transitions
<apicore_callbacks._transitions>` decide: :func:`after_run`, :func:`after_delivery` and
:func:`released` return the :class:`Change` a write under a :class:`Claim` makes (inherit
:class:`ChangeWriter` and implement its ``lease_due`` and ``write_change`` to get the claim
and those writes); the tables :data:`CLAIM`, :data:`CLAIMABLE` and :func:`requeued` say what
a store picks atomically from what it finds stored (a :class:`Due` says which jobs a claim
takes). The contract suite of the package's tests
(``tests/test_stores.py``) runs against both built-in stores; run it against yours.

An executor hands jobs to workers with a :data:`Publisher` and processes them with
:meth:`apicore_callbacks.Dispatcher.process`; :func:`plan_delivery` turns an attempt's
:class:`Answer` into its log entry and retry time.
"""

from __future__ import annotations

from apicore_callbacks import _deprecation
from apicore_callbacks._dispatcher import Publisher
from apicore_callbacks._jobs import (
    CallbackRequest,
    Claim,
    Job,
    JobAttempt,
    JobSpec,
    JobState,
    JobStore,
    Outcome,
    Stage,
    digest,
    new_job_id,
)
from apicore_callbacks._redis import RedisJobStore
from apicore_callbacks._sqlite import SQLiteJobStore
from apicore_callbacks._transitions import (
    ACTIVE,
    CLAIM,
    CLAIMABLE,
    LEASED,
    TERMINAL,
    Answer,
    Change,
    ChangeWriter,
    ClaimStep,
    Due,
    Requeue,
    after_delivery,
    after_run,
    claim_of,
    plan_delivery,
    released,
    requeued,
)
from apicore_introspect import Clock

__all__ = [
    "ACTIVE",
    "CLAIM",
    "CLAIMABLE",
    "LEASED",
    "TERMINAL",
    "Answer",
    "CallbackRequest",
    "Change",
    "ChangeWriter",
    "Claim",
    "ClaimStep",
    "Clock",
    "Due",
    "Job",
    "JobAttempt",
    "JobSpec",
    "JobState",
    "JobStore",
    "Outcome",
    "Publisher",
    "RedisJobStore",
    "Requeue",
    "SQLiteJobStore",
    "Stage",
    "after_delivery",
    "after_run",
    "claim_of",
    "digest",
    "new_job_id",
    "plan_delivery",
    "released",
    "requeued",
]


# Old name (deprecated, see CHANGELOG): apicore_client.Attempt is a client call's.
__getattr__ = _deprecation.deprecated_names(__name__, {"Attempt": f"{__name__}.JobAttempt"})
