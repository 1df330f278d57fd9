"""asymmetric serving http_functions (Starlette's HTTPException and responses)."""

from http_functions import register
from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse

from apicore_app import FormLimits
from asymmetric import Asymmetric


def abort(status: int, detail: str) -> None:
    raise HTTPException(status, detail)


asymmetric = Asymmetric(title="HTTP functions")
asymmetric.api.form_limits = FormLimits(max_file_size=8 * 1024 * 1024, max_size=9 * 1024 * 1024)
register(asymmetric.router, abort, lambda: PlainTextResponse("native", status_code=202))
