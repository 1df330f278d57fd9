"""symmetric serving http_functions (flask.abort and Flask responses)."""

import flask
from http_functions import register

from apicore_app import FormLimits
from symmetric import Symmetric

symmetric = Symmetric(title="HTTP functions")
symmetric.api.form_limits = FormLimits(max_file_size=8 * 1024 * 1024, max_size=9 * 1024 * 1024)
register(symmetric.router, flask.abort, lambda: flask.Response("native", status=202))
