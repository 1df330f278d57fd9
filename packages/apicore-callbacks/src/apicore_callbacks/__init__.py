"""Durable, signed, retried HTTP callbacks (webhooks) for long-running API calls, with an SSRF guard."""

from apicore_callbacks.__about__ import __version__

__all__ = ["__version__"]
