"""The 422 answer to a request body that does not fit its route: FastAPI's own (each bad field
named, with what was sent), made safe for any JSON. Python's json reads NaN and Infinity, which
the default answer then cannot write (JSON has no such numbers): it failed with a 500 instead."""

from __future__ import annotations

import math

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


def _finite(number: float) -> float | str:
    return number if math.isfinite(number) else str(number)


async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # registered for it alone
    errors = jsonable_encoder(exc.errors(), custom_encoder={float: _finite})
    return JSONResponse({"detail": errors}, status_code=422)
