"""The site's own settings, read once by its factory into their types: a bad value stops the site
with one line naming it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask

from loyalty_common.deployment import MissingSetting
from loyalty_common.settings import duration, optional_text, seconds, web_address, whole

EXTENSION = "loyalty_site.settings"


@dataclass(frozen=True)
class SiteSettings:
    # A separately deployed core (ADMIN_CORE_URL) and the site's key there; None: embedded.
    core_url: str | None
    core_api_key: str | None
    core_timeout: float
    # A customer's session ends this long after the login, however it is used.
    portal_session_lifetime: timedelta
    # How many reverse proxies stand in front of the site (their X-Forwarded-* headers count).
    proxies: int
    # How long a worker keeps a merchant's settings (portal/merchants.py); 0: not at all.
    merchant_cache_seconds: float

    @classmethod
    def read(cls, config: Mapping[str, Any]) -> SiteSettings:
        core_url = web_address(config, "ADMIN_CORE_URL") if config.get("ADMIN_CORE_URL") else None
        core_api_key = optional_text(config, "ADMIN_CORE_API_KEY")
        if core_url and not core_api_key:
            # Else every call would be refused as unauthenticated: a site that serves only errors.
            raise MissingSetting(
                "ADMIN_CORE_API_KEY: the site's key at the core of ADMIN_CORE_URL "
                "(flask core create-api-key --site on the core)"
            )
        return cls(
            core_url=core_url,
            core_api_key=core_api_key,
            core_timeout=duration(config, "ADMIN_CORE_TIMEOUT"),
            portal_session_lifetime=seconds(config, "PORTAL_SESSION_LIFETIME"),
            proxies=whole(config, "PROXIES"),
            merchant_cache_seconds=duration(config, "PORTAL_MERCHANT_CACHE_SECONDS", zero=True),
        )


def init_settings(app: Flask) -> None:
    app.extensions[EXTENSION] = SiteSettings.read(app.config)


def site_settings(app: Flask) -> SiteSettings:
    found: SiteSettings = app.extensions[EXTENSION]
    return found
