"""Handlers and apps for pymacaron-core's tests (imported by dotted path from the specs)."""
