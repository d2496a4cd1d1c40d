"""The site: customer portal and Wi-Fi registration. Stateless: signed cookie sessions,
everything persistent lives in the admin core, reached through admin_api_client."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, render_template
from flask.cli import NoAppException
from flask_wtf.csrf import CSRFError
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.middleware.proxy_fix import ProxyFix

from admin_api_client import CoreClient, Unavailable
from captive import init_captive

from .brand import bp as brand_bp
from .core import CLIENT_EXTENSION
from .customer import init_customer_portal
from .extensions import csrf, login_manager
from .framing import init_framing
from .i18n import init_i18n
from .limits import init_limits, retry_after

ROOT = Path(__file__).resolve().parent.parent


class MissingSecretKey(NoAppException):
    """Raised by the factory; the flask CLI prints it as a one-line error, gunicorn stops on it."""


def create_app(config: dict[str, Any] | None = None, core_app: Flask | None = None) -> Flask:
    """The site. With ADMIN_CORE_URL it calls that core over HTTP; without it, it embeds the core:
    builds it (or takes `core_app`), mounts it at /core, and calls it in-process."""
    app = Flask(__name__, instance_relative_config=True, static_folder=str(ROOT / "static"))
    app.config.from_mapping(
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=None,  # decided below: Secure outside debug
        SESSION_COOKIE_NAME="loyalty_session",
        ADMIN_CORE_URL=os.environ.get("ADMIN_CORE_URL"),
        ADMIN_CORE_API_KEY=os.environ.get("ADMIN_CORE_API_KEY"),
        ADMIN_CORE_TIMEOUT=5.0,
        # A customer's session ends this many seconds after the login, however it is used.
        PORTAL_SESSION_LIFETIME=7 * 24 * 3600,
        BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "translations"),
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env()
    app.config.from_mapping(config or {})
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = not app.debug
    if not app.config.get("SECRET_KEY"):
        if not (app.debug or app.testing):
            raise MissingSecretKey(
                "Set FLASK_SECRET_KEY (or SECRET_KEY in instance/config.py): "
                "the site refuses to run with a known or empty key."
            )
        app.config["SECRET_KEY"] = os.urandom(32)

    _connect_core(app, config, core_app)
    proxies = int(app.config.get("PROXIES") or 0)
    if proxies:
        # Behind that many reverse proxies: their X-Forwarded-* headers give the client's address
        # (throttling, consent records), scheme and host (e-mailed links, CoovaChilli's signature).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)  # type: ignore[method-assign]
    csrf.init_app(app)
    login_manager.init_app(app)
    init_i18n(app)
    init_limits(app)
    init_framing(app)

    init_customer_portal(app)
    init_captive(app)
    app.register_blueprint(brand_bp)
    _register_error_pages(app)
    return app


def _connect_core(app: Flask, config: dict[str, Any] | None, core_app: Flask | None) -> None:
    url = app.config["ADMIN_CORE_URL"]
    if url:
        app.extensions[CLIENT_EXTENSION] = CoreClient(
            url,
            app.config["ADMIN_CORE_API_KEY"],
            timeout=float(app.config["ADMIN_CORE_TIMEOUT"]),
        )
        return
    import admin_core
    from admin_core.cli import CORE_APP_EXTENSION, core_cli

    if core_app is None:
        core_app = admin_core.create_app({"SECRET_KEY": app.config["SECRET_KEY"], **(config or {})})
    app.extensions[CLIENT_EXTENSION] = CoreClient.in_process(admin_core.trusted_site_app(core_app))
    app.extensions[CORE_APP_EXTENSION] = core_app
    app.cli.add_command(core_cli)
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/core": core_app.wsgi_app})  # type: ignore[method-assign]


def _register_error_pages(app: Flask) -> None:
    @app.errorhandler(404)
    def not_found(_error: Exception) -> tuple[str, int]:
        return render_template("errors/404.html"), 404

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> tuple[str, int]:
        return render_template("errors/form_expired.html"), 400

    @app.errorhandler(Unavailable)
    def core_unavailable(_error: Unavailable) -> tuple[str, int]:
        return render_template("errors/503.html"), 503

    @app.errorhandler(429)
    def too_many_attempts(_error: Exception) -> tuple[str, int, dict[str, str]]:
        seconds = retry_after()
        return render_template("errors/429.html", seconds=seconds), 429, {"Retry-After": str(seconds)}

    @app.errorhandler(500)
    def server_error(_error: Exception) -> tuple[str, int]:
        return render_template("errors/500.html"), 500
