"""pytest configuration for apicore-app's own tests."""
