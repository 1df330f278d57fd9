"""pytest configuration for apicore-introspect's own tests."""
