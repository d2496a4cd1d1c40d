"""Page cursors of the admin's lists: the last row's key, tagged with its list, opaque to callers."""

from __future__ import annotations

import base64
import re

from ..database import MAX_ID
from ..errors import Invalid

MAX_CURSOR = 64
INVALID = ("invalid_cursor", "This page cursor is not valid; start from the first page.")


def encode(tag: str, key: int | str) -> str:
    return base64.urlsafe_b64encode(f"{tag}{key}".encode()).decode().rstrip("=")


def _decoded(tag: str, text: str) -> str:
    if not 0 < len(text) <= MAX_CURSOR:
        raise Invalid(*INVALID)
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True).decode()
    except ValueError:  # not base64 (binascii.Error), not ASCII, not UTF-8 (UnicodeDecodeError)
        raise Invalid(*INVALID) from None
    if not raw.startswith(tag):
        raise Invalid(*INVALID)
    return raw[len(tag) :]


def decode_id(tag: str, text: str) -> int:
    key = _decoded(tag, text)
    if not (key.isascii() and key.isdigit() and 0 < int(key) <= MAX_ID):
        raise Invalid(*INVALID)
    return int(key)


def decode_text(tag: str, text: str, pattern: re.Pattern[str]) -> str:
    key = _decoded(tag, text)
    if not pattern.fullmatch(key):
        raise Invalid(*INVALID)
    return key
