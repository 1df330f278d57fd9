"""Legacy import path: ``from pymacaron_core.swagger.apipool import ApiPool``."""

from pymacaron_core._pool import ApiPool

__all__ = ["ApiPool"]
