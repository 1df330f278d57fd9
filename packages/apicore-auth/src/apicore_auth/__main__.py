"""``python -m apicore_auth``: hash, generate and check tokens."""

from __future__ import annotations

import sys

from apicore_auth._cli import main

sys.exit(main())
