"""The site: customer portal and Wi-Fi registration. Stateless: signed cookie sessions,
everything persistent lives in the admin core, reached through admin_api_client."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, render_template
from flask.cli import NoAppException
from flask_wtf.csrf import CSRFError

from admin_api_client import CoreClient, Unavailable
from loyalty_common.deployment import MissingSetting, require_public_address
from loyalty_common.request_log import init_request_log

from .brand import bp as brand_bp
from .core import CLIENT_EXTENSION
from .customer import init_customer_portal
from .extensions import csrf, login_manager
from .framing import init_framing
from .headers import init_headers
from .i18n import init_i18n
from .inputs import init_inputs
from .limits import Rule, init_limits, retry_after
from .merchants import DEFAULT_SECONDS, init_merchants
from .settings import init_settings

ROOT = Path(__file__).resolve().parent.parent


class MissingSecretKey(NoAppException):
    """Raised by the factory; the flask CLI prints it as a one-line error, gunicorn stops on it."""


__all__ = ["MissingSecretKey", "MissingSetting", "connect_core", "create_app"]


def create_app(
    config: dict[str, Any] | None = None,
    limits: dict[str, Rule] | None = None,
    limit_settings: dict[str, str] | None = None,
) -> Flask:
    """The portal, without its core or the site's other parts: the composition root
    (composition.py) connects the core and adds them, with their throttling `limits`."""
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
        PROXIES=0,  # reverse proxies in front of the site
        # How long a worker keeps a merchant's settings (portal/merchants.py): a change made in
        # the core, such as a portal switched off, shows on the site after that long at most.
        PORTAL_MERCHANT_CACHE_SECONDS=DEFAULT_SECONDS,
        BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "translations"),
        # The site takes forms only (and the wallets' small JSON): a larger body is refused with
        # 413 before it is read. The core, mounted at /core, has its own limits.
        MAX_CONTENT_LENGTH=256 * 1024,
        MAX_FORM_MEMORY_SIZE=64 * 1024,
        MAX_FORM_PARTS=200,
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
    require_public_address(app, ("SITE_URL",))
    init_settings(app)

    init_request_log(app)
    init_inputs(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    init_i18n(app)
    init_limits(app, limits or {}, limit_settings or {})
    init_framing(app)
    init_headers(app)

    init_merchants(app)
    init_customer_portal(app)
    app.register_blueprint(brand_bp)
    from .wallet_service import bp as wallet_service_bp

    app.register_blueprint(wallet_service_bp)
    _register_error_pages(app)
    return app


def connect_core(app: Flask, client: CoreClient) -> None:
    """The site's one handle on the core, given by the composition root."""
    app.extensions[CLIENT_EXTENSION] = client


def _register_error_pages(app: Flask) -> None:
    @app.errorhandler(404)
    def not_found(_error: Exception) -> tuple[str, int]:
        return render_template("errors/404.html"), 404

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> tuple[str, int]:
        return render_template("errors/form_expired.html"), 400

    @app.errorhandler(Unavailable)
    def core_unavailable(error: Unavailable) -> tuple[str, int]:
        app.logger.error("The core is unavailable: %s", error)
        return render_template("errors/503.html"), 503

    @app.errorhandler(413)
    def too_large(_error: Exception) -> tuple[str, int]:
        return render_template("errors/413.html"), 413

    @app.errorhandler(429)
    def too_many_attempts(_error: Exception) -> tuple[str, int, dict[str, str]]:
        seconds = retry_after()
        return render_template("errors/429.html", seconds=seconds), 429, {"Retry-After": str(seconds)}

    @app.errorhandler(500)
    def server_error(_error: Exception) -> tuple[str, int]:
        return render_template("errors/500.html"), 500
