"""Example apps: run them from the repository root (see examples/README.md)."""
