"""Settings a deployment must give before it serves anyone: checked at start-up, said in one line."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import click
from flask import Flask, url_for
from flask.cli import NoAppException


class MissingSetting(NoAppException):
    """Raised by a factory; the flask CLI prints it as a one-line error, gunicorn stops on it."""


def public_root(value: object, name: str) -> str:
    """A public root such as `https://cards.example.com`: scheme and host, nothing after."""
    parts = urlsplit(str(value))
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.path.strip("/"):
        raise MissingSetting(f"{name} must be a root URL such as https://cards.example.com, not {value!r}.")
    return f"{parts.scheme}://{parts.netloc}"


def loaded_for_a_command() -> bool:
    """The flask CLI built the app for a command other than `run` (`core init-db`, `demo`,
    `send-mail`, …): it answers no request, so it builds no link on a request's Host."""
    context = click.get_current_context(silent=True)
    return context is not None and context.command.name != "run"


def require_public_address(app: Flask, roots: Iterable[str]) -> None:
    """Outside debug and tests, an app that serves (gunicorn importing the WSGI module, `flask
    run`): links in e-mails are built on a configured root (never on the Host a request names) and
    only trusted hosts are answered."""
    for key in roots:
        if app.config.get(key):
            app.config[key] = public_root(app.config[key], f"FLASK_{key}")
    if app.debug or app.testing or loaded_for_a_command():
        return
    if not app.config.get("SITE_URL"):
        raise MissingSetting(
            "Set FLASK_SITE_URL (e.g. https://cards.example.com): e-mailed links are built on it."
        )
    if not app.config.get("TRUSTED_HOSTS"):
        raise MissingSetting(
            "Set FLASK_TRUSTED_HOSTS (e.g. '[\"cards.example.com\"]'): the hosts this app answers to."
        )


def external_url(root: str | None, endpoint: str, **values: Any) -> str:
    """An absolute URL to `endpoint` on the configured `root`; on the request's own host only where
    none is configured, which start-up allows in debug and tests alone."""
    if not root:
        return url_for(endpoint, _external=True, **values)
    return root + url_for(endpoint, **values)
