"""pytest configuration for apicore-specbind's own tests."""
