"""schemathesis against examples.petstore (pymacaron-core, in-process WSGI), every check on.

pymacaron-core serves no spec itself, so the document is the example's YAML file.
"""

from __future__ import annotations

from examples.petstore import handlers
from examples.petstore.app import SPEC, app
from hypothesis import HealthCheck, settings
from schemathesis import Case, openapi
from support import RANDOM_SEED, STATEFUL_EXAMPLES, TOKEN, call_and_validate, config

schema = openapi.from_path(str(SPEC), config=config(auth={"apiKey": {"api_key": TOKEN}}))
# What `from_wsgi` does for a served document: every request, the checks' own included,
# goes to the in-process Flask app.
schema.app = app


@schema.parametrize()
def test_petstore(case: Case) -> None:
    """Every operation, positive and negative data, every check."""
    call_and_validate(case)


# Stateful: sequences that follow the spec's links (create, then get or delete, then get
# again), so `ensure_resource_availability` and `use_after_free` run too.
class PetstoreMachine(schema.as_state_machine()):  # type: ignore[misc]
    """Each sequence starts from an empty store, so a replayed sequence sees the same ids.

    (Hypothesis replays sequences while shrinking; with ids carried over from earlier
    sequences the links would resolve differently and the run would be reported as flaky.)
    """

    def setup(self) -> None:
        """Empty the pet store."""
        handlers.reset()


PetstoreMachine.TestCase.settings = settings(
    max_examples=STATEFUL_EXAMPLES,
    stateful_step_count=6,
    deadline=None,
    database=None,
    derandomize=not RANDOM_SEED,
    suppress_health_check=list(HealthCheck),
)
TestPetstoreStateful = PetstoreMachine.TestCase
