"""Load Swagger 2.0 and OpenAPI 3.0/3.1 specs safely, build model classes, validate and (un)marshal requests and responses."""

from apicore_specbind.__about__ import __version__

__all__ = ["__version__"]
