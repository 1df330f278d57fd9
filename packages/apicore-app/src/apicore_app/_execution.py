"""Running functions outside the request thread: async ones under WSGI, callback jobs."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from apicore_introspect import CallContext, FunctionOperation, reset_call_context, set_call_context

if TYPE_CHECKING:
    from apicore_callbacks import Job


def _job_context(job: Job) -> CallContext:
    return CallContext(request_id=job.request_id, traceparent=job.traceparent)


class LoopThread:
    """One event loop in a daemon thread, for async functions served under WSGI."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="apicore-async", daemon=True
        )
        self._thread.start()

    def run(self, coroutine: Any) -> Any:
        """Run a coroutine on the loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def stop(self) -> None:
        """Stop the loop and its thread."""
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self._loop.close()


def job_runner(operation: FunctionOperation) -> Callable[[Job], Any]:
    """The callback worker's runner for one function: stored JSON in, JSON result out."""
    if operation.is_async:

        async def run_async(job: Job) -> Any:
            args, kwargs = operation.bind_json(dict(job.arguments))
            # set here: a task on another thread does not inherit the caller's context
            token = set_call_context(_job_context(job))
            try:
                result = await operation.func(*args, **kwargs)
            finally:
                reset_call_context(token)
            return json.loads(operation.dump(result))

        return run_async

    def run(job: Job) -> Any:
        args, kwargs = operation.bind_json(dict(job.arguments))
        # the function's own client calls carry the id of the request that created the job
        token = set_call_context(_job_context(job))
        try:
            return json.loads(operation.dump(operation.func(*args, **kwargs)))
        finally:
            reset_call_context(token)

    return run
