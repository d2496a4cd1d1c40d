"""What can go wrong when calling the core. Every error carries the core's code and message."""

from __future__ import annotations


class CoreError(Exception):
    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


class Unauthorized(CoreError):
    """401/403: the key is missing, wrong, or not allowed here."""


class NotFound(CoreError):
    """404: no such card or merchant (or the merchant's portal is off)."""


class Conflict(CoreError):
    """409: the request is fine but cannot apply now (e.g. not enough points)."""


class Gone(CoreError):
    """410: a link or token that no longer works."""


class Invalid(CoreError):
    """400/422: the request itself is wrong."""


class Unavailable(CoreError):
    """The core did not answer in time, or answered with a server error."""


BY_STATUS: dict[int, type[CoreError]] = {
    400: Invalid,
    401: Unauthorized,
    403: Unauthorized,
    404: NotFound,
    409: Conflict,
    410: Gone,
    422: Invalid,
}
