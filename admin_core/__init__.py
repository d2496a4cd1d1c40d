"""The admin core: owns the database and speaks the JSON API. Deployable alone."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.cli import NoAppException
from flask.sessions import SecureCookieSessionInterface
from flask_mail import Mail

from loyalty_common.controller_addresses import parse_networks
from loyalty_common.deployment import MissingSetting, require_public_address
from loyalty_common.request_log import init_request_log

from .body_limits import DEFAULT_LIMIT, init_body_limits
from .context import EXTENSION, TRUSTED_SITE_ENVIRON, Core
from .database import Database
from .headers import init_headers
from .services import wallet_updates  # noqa: F401  (passes follow their cards: a flush listener)
from .services.mail_seal import MailSeal
from .services.portal_auth import password_context
from .services.wallet_keys import WalletKeys

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def default_database_url(instance_path: str) -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'loyalty.sqlite3'}"


def create_app(config: dict[str, Any] | None = None, database: Database | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        ACTIVATION_MAX_AGE=24 * 3600,
        RESET_MAX_AGE=3600,
        EMAIL_CHANGE_MAX_AGE=24 * 3600,
        PASSWORD_HASH_FAST=False,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=25,
        MAIL_DEFAULT_SENDER="loyalty-portal <no-reply@localhost>",
        MAIL_TIMEOUT=30,  # seconds for each exchange with the SMTP server
        MAIL_SUPPRESS_SEND=False,  # Flask-Mail would drop mail silently under TESTING
        WALLET_APNS_URL="https://api.push.apple.com",
        WALLET_GOOGLE_API_URL="https://walletobjects.googleapis.com",
        WALLET_GOOGLE_TOKEN_URL="https://oauth2.googleapis.com/token",
        # Forms and JSON; the views that take a customers file allow it (body_limits).
        MAX_CONTENT_LENGTH=DEFAULT_LIMIT,
        # The staff UI's session: a cookie of its own beside the site's.
        SESSION_COOKIE_NAME="loyalty_staff",
        # A staff session ends this many seconds after the login, however it is used: a shift.
        STAFF_SESSION_LIFETIME=12 * 3600,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=None,  # decided below: Secure outside debug
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env()
    app.config.from_mapping(config or {})
    app.config.setdefault("DATABASE_URL", default_database_url(app.instance_path))
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = not app.debug
    if not app.config.get("SECRET_KEY"):
        if not (app.debug or app.testing):
            raise MissingSecretKey(
                "Set FLASK_SECRET_KEY: the core's staff sessions are signed with it, queued e-mail sealed."
            )
        app.config["SECRET_KEY"] = os.urandom(32)
    require_public_address(app, ("SITE_URL", "STAFF_URL"))
    app.session_interface = StaffSessionInterface()
    init_headers(app)
    init_request_log(app)

    mail = Mail(app)
    app.extensions[EXTENSION] = Core(
        db=database or Database.from_url(app.config["DATABASE_URL"]),
        passwords=password_context(fast=app.config["PASSWORD_HASH_FAST"]),
        activation_max_age=timedelta(seconds=int(app.config["ACTIVATION_MAX_AGE"])),
        mail=mail,
        mail_seal=MailSeal(app.config["SECRET_KEY"]),
        # The wallet's own key when set, so that rotating SECRET_KEY leaves the passes working.
        wallet_keys=WalletKeys(app.config.get("WALLET_KEY") or app.config["SECRET_KEY"]),
        reset_max_age=timedelta(seconds=int(app.config["RESET_MAX_AGE"])),
        email_change_max_age=timedelta(seconds=int(app.config["EMAIL_CHANGE_MAX_AGE"])),
        controller_networks=parse_networks(app.config.get("WIFI_CONTROLLER_NETWORKS")),
        apns_url=str(app.config["WALLET_APNS_URL"]).rstrip("/"),
        google_api_url=str(app.config["WALLET_GOOGLE_API_URL"]).rstrip("/"),
        google_token_url=str(app.config["WALLET_GOOGLE_TOKEN_URL"]),
        site_url=str(app.config.get("SITE_URL") or "http://localhost").rstrip("/"),
    )

    from .api import init_api
    from .cli import core_cli
    from .embed import bp as embed_bp
    from .inputs import init_inputs
    from .outage import init_outage
    from .staff import init_staff

    init_body_limits(app)  # first: the text rule below reads the body, under the view's limit
    init_inputs(app)
    init_api(app)
    app.register_blueprint(embed_bp)
    init_staff(app)
    init_outage(app)
    app.cli.add_command(core_cli)
    return app


class MissingSecretKey(NoAppException):
    """Raised by the factory; the flask CLI prints it as a one-line error, gunicorn stops on it."""


__all__ = ["MissingSecretKey", "MissingSetting", "create_app", "trusted_site_app"]


class StaffSessionInterface(SecureCookieSessionInterface):
    """Signed with a salt of its own: the site signs its sessions with the same key, and a cookie
    of one must never pass for the other's."""

    salt = "loyalty-core-staff-session"


def trusted_site_app(app: Flask) -> WSGIApp:
    """The core as the in-process site sees it: every request acts as the site, without a key.
    Only for the embedded deployment's in-process transport; never mount this on a socket."""

    # The in-process client's requests name no real host: they are given one the core trusts.
    hosts = app.config.get("TRUSTED_HOSTS")
    host = hosts[0].lstrip(".") if hosts else None

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ[TRUSTED_SITE_ENVIRON] = True
        if host:
            environ["HTTP_HOST"] = host
        return app(environ, start_response)

    return wsgi
