"""pytest configuration for apicore-callbacks's own tests."""
