"""Legacy import path: ``from pymacaron_core.swagger import ApiPool`` (the README's spelling)."""

from pymacaron_core._pool import ApiPool

__all__ = ["ApiPool"]
