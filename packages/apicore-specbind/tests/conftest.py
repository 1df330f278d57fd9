"""pytest configuration for apicore-specbind's own tests."""

from __future__ import annotations

from pathlib import Path

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
