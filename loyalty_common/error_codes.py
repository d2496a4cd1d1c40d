"""The error codes the site acts on, as the core raises them: one name on both sides of the
boundary instead of a string matched by hand. A `StrEnum`: each is its string on the wire and
compares equal to it. The core's other codes are reported, not acted upon, and stay where raised."""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    WRONG_PASSWORD = "wrong_password"
    PASSWORD_TOO_SHORT = "password_too_short"
    PASSWORD_TOO_LONG = "password_too_long"
    SAME_EMAIL = "same_email"
    SESSION_EXPIRED = "session_expired"  # the card's password changed since the login
    SESSION_ENDED = "session_ended"  # that session was logged out
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    UNKNOWN_DEVICE = "unknown_device"
    CONSENT_REQUIRED = "consent_required"
    NO_CAMPAIGN = "no_campaign"
    INSUFFICIENT_POINTS = "insufficient_points"


PASSWORD_REFUSED = frozenset({Code.PASSWORD_TOO_SHORT, Code.PASSWORD_TOO_LONG})
