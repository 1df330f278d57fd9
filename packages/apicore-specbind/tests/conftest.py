"""pytest configuration for apicore-specbind's own tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from apicore_specbind import Spec, load_spec

SPECS = Path(__file__).parent / "specs"


@pytest.fixture(scope="session")
def petstore() -> Spec:
    return load_spec(SPECS / "petstore-v2.yaml")


@pytest.fixture(scope="session")
def pets30() -> Spec:
    return load_spec(SPECS / "petstore-v30.yaml")


@pytest.fixture(scope="session")
def notes() -> Spec:
    return load_spec(SPECS / "notes-v31.yaml")


@pytest.fixture(scope="session")
def spec_of() -> Callable[..., Spec]:
    """Load a small spec from its version and top-level members (``info`` is filled in)."""

    def load(version: str, **members: Any) -> Spec:
        key = "swagger" if version == "2.0" else "openapi"
        return load_spec({key: version, "info": {"title": "t", "version": "1"}, **members})

    return load
