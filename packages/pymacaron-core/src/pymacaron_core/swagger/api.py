"""Legacy import path: ``from pymacaron_core.swagger.api import API``."""

from pymacaron_core._api import API

__all__ = ["API"]
