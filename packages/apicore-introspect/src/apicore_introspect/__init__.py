"""Turn a Python callable into a validated, documented operation: JSON Schema from its signature, HTTP payloads into typed arguments."""

from apicore_introspect.__about__ import __version__

__all__ = ["__version__"]
