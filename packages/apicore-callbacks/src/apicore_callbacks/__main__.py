"""``python -m apicore_callbacks``."""

from __future__ import annotations

import sys

from apicore_callbacks._cli import main

if __name__ == "__main__":
    sys.exit(main())
