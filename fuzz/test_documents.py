"""Every example app's OpenAPI document, 3.1 and 3.0, is valid (openapi-spec-validator).

The documents are exported with the CLIs exactly as examples/README.md tells users to.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

ROOT = Path(__file__).resolve().parent.parent


def export(cli: str, module: str, version: str) -> dict[str, Any]:
    """Run `<cli> docs <module> -f - --openapi-version <version>` from the repository root."""
    result = subprocess.run(
        [sys.executable, "-m", cli, "docs", module, "-f", "-", "--openapi-version", version],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


@pytest.mark.parametrize(
    ("cli", "version", "expected"),
    [
        ("asymmetric", "3.1.0", "3.1.0"),
        ("asymmetric", "3.0.3", "3.0.3"),
        ("symmetric", "3.1", "3.1.0"),
        ("symmetric", "3.0", "3.0.3"),
    ],
)
def test_exported_document_is_valid(cli: str, version: str, expected: str) -> None:
    """The CLI's export of the example is a valid document of the version asked for."""
    module = {"asymmetric": "examples.calculator", "symmetric": "examples.flask_calculator"}[cli]
    document = export(cli, module, version)
    assert document["openapi"] == expected
    assert "/squares/{n}" in document["paths"]
    validate(document)


def test_petstore_spec_is_valid() -> None:
    """The petstore's hand-written spec is valid OpenAPI 3.0."""
    document = yaml.safe_load((ROOT / "examples" / "petstore" / "petstore.yaml").read_text())
    validate(document)


def test_validator_rejects_a_broken_document() -> None:
    """The check above can fail: a document without `info` is refused."""
    with pytest.raises(OpenAPIValidationError):
        validate({"openapi": "3.1.0", "paths": {}})


@pytest.mark.parametrize(
    ("cli", "module"),
    [("asymmetric", "examples.inventory"), ("symmetric", "examples.flask_inventory")],
)
@pytest.mark.parametrize("version", ["3.1.0", "3.0.3"])
def test_inventory_documents_are_valid(cli: str, module: str, version: str) -> None:
    """Header/cookie parameters, a multipart body and declared responses, in both versions."""
    given = version if cli == "asymmetric" else version[:3]  # symmetric's CLI says "3.1"
    document = export(cli, module, given)
    assert document["openapi"] == version
    validate(document)
    upload = document["paths"]["/upload"]["post"]["requestBody"]["content"]
    schema = upload["multipart/form-data"]["schema"]
    assert schema["properties"]["file"] == {"type": "string", "format": "binary"}
    where = {p["name"]: p["in"] for p in document["paths"]["/whoami"]["get"]["parameters"]}
    assert where == {"X-Tenant": "header", "session": "cookie", "verbose": "query"}
    assert "404" in document["paths"]["/items/{item_id}"]["get"]["responses"]
