"""Every error is JSON `{"detail": "<one line>"}` with the right status code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from roleplay.services.practice import PracticeError, TooManyMessages


class GradingNotDone(Exception):
    """The grader gave no trustworthy grade (its record says why); 503, the call is kept."""


def _location(loc: Sequence[Any]) -> str:
    return ".".join(str(part) for part in loc) or "request"


def describe_validation(errors: Sequence[Any]) -> str:
    """FastAPI's error list as one line: 'body.text: Field required; query.language: ...'."""
    parts = []
    for error in errors:
        if error.get("type") == "json_invalid":
            parts.append(f"Malformed JSON body: {error.get('ctx', {}).get('error', error['msg'])}")
        else:
            parts.append(f"{_location(error.get('loc', ()))}: {error['msg']}")
    return "; ".join(parts) or "Invalid request."


def error_response(status_code: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status_code)


async def _practice_error(_request: Request, exc: Exception) -> JSONResponse:
    status_code = exc.http_status if isinstance(exc, PracticeError) else 400
    response = error_response(status_code, str(exc))
    if isinstance(exc, TooManyMessages):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def _grading_not_done(_request: Request, exc: Exception) -> JSONResponse:
    return error_response(503, str(exc))


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    return error_response(422, describe_validation(errors))


async def _unexpected_error(_request: Request, _exc: Exception) -> JSONResponse:
    return error_response(500, "Internal server error.")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(PracticeError, _practice_error)
    app.add_exception_handler(GradingNotDone, _grading_not_done)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected_error)
