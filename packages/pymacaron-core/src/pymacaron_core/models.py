"""Legacy import path: ``from pymacaron_core.models import get_model``."""

from __future__ import annotations

from apicore_specbind import Model
from pymacaron_core._pool import ApiPool
from pymacaron_core.exceptions import ValidationError

__all__ = ["Model", "get_model"]


def get_model(name: str) -> type[Model]:
    """The model class of that name in the APIs of ``ApiPool`` (the last added API wins).

    Models are per API now; prefer ``ApiPool.<api>.model.<Name>``.

    Raises:
        ValidationError: no API loaded in ``ApiPool`` defines that model.
    """
    for api in reversed(list(ApiPool.apis.values())):
        if name in api.model:
            return api.model[name]
    raise ValidationError(f"Swagger spec has no definition for model {name}")
