"""The core's own settings, read once by the factory into their types: a bad value stops the core
with one line naming it. Keys the site owns (its cookie's name, its body limit) are not the
core's: the staff UI's have names of their own."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from loyalty_common.controller_addresses import Networks, parse_networks
from loyalty_common.settings import checked, duration, flag, optional_text, seconds, web_address

DEFAULTS: dict[str, Any] = {
    "ACTIVATION_MAX_AGE": 24 * 3600,
    "RESET_MAX_AGE": 3600,
    "EMAIL_CHANGE_MAX_AGE": 24 * 3600,
    "STAFF_INVITATION_MAX_AGE": 7 * 24 * 3600,  # seconds an invited person's link works
    "PASSWORD_HASH_FAST": False,
    "MAIL_SERVER": "127.0.0.1",
    "MAIL_PORT": 25,
    "MAIL_DEFAULT_SENDER": "loyalty-portal <no-reply@localhost>",
    "MAIL_TIMEOUT": 30,  # seconds for each exchange with the SMTP server
    "MAIL_SUPPRESS_SEND": False,  # Flask-Mail would drop mail silently under TESTING
    "WALLET_APNS_URL": "https://api.push.apple.com",
    "WALLET_GOOGLE_API_URL": "https://walletobjects.googleapis.com",
    "WALLET_GOOGLE_TOKEN_URL": "https://oauth2.googleapis.com/token",
    # The staff UI's session: a cookie of its own beside the site's.
    "STAFF_SESSION_COOKIE_NAME": "loyalty_staff",
    # A staff session ends this many seconds after the login, however it is used: a shift.
    "STAFF_SESSION_LIFETIME": 12 * 3600,
    "WIFI_CONTROLLER_NETWORKS": "",
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": None,  # decided by the factory: Secure outside debug
}


@dataclass(frozen=True)
class CoreSettings:
    activation_max_age: timedelta
    reset_max_age: timedelta
    email_change_max_age: timedelta
    staff_invitation_max_age: timedelta
    staff_session_lifetime: timedelta
    mail_timeout: float
    password_hash_fast: bool
    # Non-public networks where hotspot controllers may be (WIFI_CONTROLLER_NETWORKS).
    controller_networks: Networks
    # Where APNs is (WALLET_APNS_URL): Apple's production host, or a test's stand-in.
    apns_url: str
    # Where the Google Wallet REST API and the OAuth2 token endpoint are (WALLET_GOOGLE_API_URL,
    # WALLET_GOOGLE_TOKEN_URL): Google's, or a test's stand-in.
    google_api_url: str
    google_token_url: str
    # The site's public root (SITE_URL): the Google class's logo and links, written by send-pushes.
    site_url: str
    # The root e-mailed staff links are built on (STAFF_URL, else SITE_URL).
    staff_url: str | None

    @classmethod
    def read(cls, config: Mapping[str, Any]) -> CoreSettings:
        return cls(
            activation_max_age=seconds(config, "ACTIVATION_MAX_AGE"),
            reset_max_age=seconds(config, "RESET_MAX_AGE"),
            email_change_max_age=seconds(config, "EMAIL_CHANGE_MAX_AGE"),
            staff_invitation_max_age=seconds(config, "STAFF_INVITATION_MAX_AGE"),
            staff_session_lifetime=seconds(config, "STAFF_SESSION_LIFETIME"),
            mail_timeout=duration(config, "MAIL_TIMEOUT"),
            password_hash_fast=flag(config, "PASSWORD_HASH_FAST"),
            controller_networks=checked(
                "WIFI_CONTROLLER_NETWORKS", parse_networks, config["WIFI_CONTROLLER_NETWORKS"]
            ),
            apns_url=web_address(config, "WALLET_APNS_URL"),
            google_api_url=web_address(config, "WALLET_GOOGLE_API_URL"),
            google_token_url=web_address(config, "WALLET_GOOGLE_TOKEN_URL"),
            site_url=str(config.get("SITE_URL") or "http://localhost").rstrip("/"),
            staff_url=optional_text(config, "STAFF_URL") or optional_text(config, "SITE_URL"),
        )
