"""Shared set-up for the fuzz suite: tokens, a callback receiver, a temporary job store.

The environment is set at import time, before any example app is imported, because the
apps read their token and callback settings from it. The callback receiver is a real
HTTP server on 127.0.0.1 (apicore_callbacks.testing.CallbackReceiver), allow-listed with
`APICORE_CALLBACKS_ALLOW`, so callback endpoints can accept jobs with a valid URL.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from apicore_callbacks.testing import CallbackReceiver

ROOT = Path(__file__).resolve().parent.parent
# The examples are imported as `examples.<name>` from the repository root, as their README says.
# `support` (shared fuzz settings) sits beside this file.
for _path in (ROOT, Path(__file__).resolve().parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

# Test-only secrets: random per run, never a real token.
TOKEN = "fuzz-" + os.urandom(16).hex()
_tmp = tempfile.mkdtemp(prefix="apicore-fuzz-")
_receiver = CallbackReceiver().start()

os.environ["APICORE_API_KEY"] = TOKEN
os.environ["PETSTORE_API_KEY"] = TOKEN
os.environ.pop("APICORE_TOKENS_FILE", None)
os.environ["APICORE_CALLBACKS_ALLOW"] = "127.0.0.1"
os.environ["APICORE_CALLBACKS_DB"] = str(Path(_tmp) / "jobs.sqlite3")
os.environ["FUZZ_CALLBACK_URL"] = _receiver.url("/hook")


def pytest_unconfigure() -> None:
    """Stop the receiver and remove the temporary job store."""
    _receiver.stop()
    shutil.rmtree(_tmp, ignore_errors=True)
