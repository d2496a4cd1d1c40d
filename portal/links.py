"""Absolute links the site hands out (e-mails, controllers' redirects): on FLASK_SITE_URL, never
on the Host a request names."""

from __future__ import annotations

from typing import Any

from flask import current_app

from loyalty_common.deployment import external_url


def site_url(endpoint: str, **values: Any) -> str:
    return external_url(current_app.config.get("SITE_URL"), endpoint, **values)
