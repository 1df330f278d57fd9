"""A spec-first pymacaron-core app: `petstore.yaml` bound to `handlers.py`."""
