"""pytest configuration for symmetric's own tests."""
