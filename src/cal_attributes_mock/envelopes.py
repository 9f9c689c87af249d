"""The bodies Cal.com API v2 answers with: the success envelope and its three error envelopes."""

from __future__ import annotations

import json
import time
from typing import Any

import orjson

STATUS_TEXT = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
}
EXCEPTION_NAMES = {
    400: "BadRequestException",
    401: "UnauthorizedException",
    403: "ForbiddenException",
    404: "NotFoundException",
    405: "MethodNotAllowedException",
    413: "PayloadTooLargeException",
    415: "UnsupportedMediaTypeException",
    431: "RequestHeaderFieldsTooLargeException",
}
PRISMA_ERRORS = {
    # Prisma error code: (HTTP status, envelope code, message), as Cal.com's PrismaExceptionFilter maps them
    "P2002": (409, "CONFLICT", "Invalid Input: Trying to create a record that already exists."),
    "P2025": (404, "NOT_FOUND", "Invalid Query: The requested record was not found."),
    "P2003": (400, "BAD_REQUEST", "Invalid input: The referenced data does not exist."),
}


_last_stamp: tuple[int, str] = (-1, "")  # the last millisecond formatted, and its text


def timestamp() -> str:
    """An ISO timestamp with milliseconds and Z, as JavaScript's Date.toISOString() writes it.
    Formatted once per millisecond: a busy mock stamps several writes and errors in each."""
    global _last_stamp
    millis = time.time_ns() // 1_000_000
    last = _last_stamp
    if last[0] == millis:
        return last[1]
    seconds, fraction = divmod(millis, 1000)
    text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{fraction:03d}Z"
    _last_stamp = (millis, text)
    return text


class ApiError(Exception):
    """An error response: raised anywhere in request handling, rendered by the app."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body
        self.headers = headers or {}


def _envelope(path: str, error: dict[str, Any]) -> dict[str, Any]:
    return {"status": "error", "timestamp": timestamp(), "path": path, "error": error}


def http_error(status: int, message: str, path: str) -> ApiError:
    """A NestJS HttpException with a string message (guards, not-found checks, ParseIntPipe)."""
    details = {"message": message, "error": STATUS_TEXT[status], "statusCode": status}
    return ApiError(status, _envelope(path, {"code": EXCEPTION_NAMES[status], "message": message, "details": details}))


def prisma_error(prisma_code: str, path: str) -> ApiError:
    """A database error as Cal.com's Prisma filter renders it: no ``details``."""
    status, code, message = PRISMA_ERRORS[prisma_code]
    return ApiError(status, _envelope(path, {"code": code, "message": message}))


def validation_error(errors: list[dict[str, Any]], path: str) -> ApiError:
    """The global ValidationPipe's 400: class-validator errors under ``details.errors``."""
    error = {"code": "BadRequestException", "message": "Bad Request Exception", "details": {"errors": errors}}
    return ApiError(400, _envelope(path, error))


def rate_limit_error(path: str, retry_after: int) -> ApiError:
    message = "CustomThrottlerGuard - Too many requests. Please try again later."
    error = {"code": "ThrottlerException", "message": message, "details": message}
    return ApiError(429, _envelope(path, error), {"Retry-After": str(retry_after)})


def success(data: Any) -> dict[str, Any]:
    return {"status": "success", "data": data}


def encode(body: Any) -> bytes:
    """JSON bytes; orjson for speed, the standard library for what orjson refuses (integers
    beyond 64 bits echoed back in validation errors). Both escape what UTF-8 cannot carry, so
    encoding never fails."""
    try:
        return orjson.dumps(body)
    except TypeError:
        return json.dumps(body, separators=(",", ":")).encode()
