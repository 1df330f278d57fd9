"""pytest configuration for apicore-client's own tests."""
