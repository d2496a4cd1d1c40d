"""Reading a setting once, at start-up, into the type it means: a bad value stops the app with one
line naming the variable (`FLASK_<KEY>`), never a cast failing in the middle of a request."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from limits import parse_many

from .deployment import MissingSetting


def _refuse(key: str, wanted: str, value: object) -> MissingSetting:
    return MissingSetting(f"FLASK_{key} must be {wanted}, not {value!r}.")


def whole(config: Mapping[str, Any], key: str, minimum: int = 0) -> int:
    value = config[key]
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _refuse(key, f"a whole number of at least {minimum}", value)
    try:
        number = int(value)
    except ValueError:
        raise _refuse(key, f"a whole number of at least {minimum}", value) from None
    if number < minimum:
        raise _refuse(key, f"a whole number of at least {minimum}", value)
    return number


def seconds(config: Mapping[str, Any], key: str) -> timedelta:
    """A lifetime: a whole number of seconds, at least one."""
    try:
        return timedelta(seconds=whole(config, key, 1))
    except MissingSetting:
        raise _refuse(key, "a whole number of seconds (at least 1)", config[key]) from None


def duration(config: Mapping[str, Any], key: str, *, zero: bool = False) -> float:
    """A wait such as a timeout: a number of seconds above zero (or zero itself, where it means
    "not at all"), fractions allowed."""
    value = config[key]
    wanted = "a number of seconds, at least 0" if zero else "a number of seconds above 0"
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _refuse(key, wanted, value) from None
    if isinstance(value, bool) or not (number >= 0 if zero else number > 0):
        raise _refuse(key, wanted, value)
    return number


def flag(config: Mapping[str, Any], key: str) -> bool:
    value = config[key]
    if isinstance(value, bool):
        return value
    if str(value).lower() in {"1", "true", "yes", "on"}:
        return True
    if str(value).lower() in {"0", "false", "no", "off", ""}:
        return False
    raise _refuse(key, "true or false", value)


def web_address(config: Mapping[str, Any], key: str) -> str:
    """Where a remote service is: an http(s) URL, without its trailing slash."""
    value = config[key]
    parts = urlsplit(str(value))
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise _refuse(key, "an http(s) address such as https://example.com", value)
    return str(value).rstrip("/")


def optional_text(config: Mapping[str, Any], key: str) -> str | None:
    value = config.get(key)
    return str(value) if value else None


def checked(key: str, parse: Any, value: object) -> Any:
    """`parse(value)`, a ValueError of which becomes the one-line refusal naming `key`."""
    try:
        return parse(value)
    except ValueError as error:
        raise MissingSetting(f"FLASK_{key}: {error}") from None


def rate_limit(config: Mapping[str, Any], key: str) -> str:
    """A throttle such as '10 per hour' (or several, separated by ';')."""
    value = str(config[key])
    try:
        parse_many(value)
    except ValueError:
        raise _refuse(key, "a rate such as '10 per hour'", value) from None
    return value
