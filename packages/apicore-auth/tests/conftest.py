"""pytest configuration for apicore-auth's own tests."""
