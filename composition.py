"""The one composition root: the deployable app is assembled here, and nowhere else does the site
meet the core. With ADMIN_CORE_URL the site calls that core over HTTP; without it, the core is
built (or `core_app` taken), mounted at /core and called in-process: the embedded deployment."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, has_request_context, request
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.middleware.proxy_fix import ProxyFix

import admin_core
import captive
import captive.limits
import portal
from admin_api_client import CoreClient
from admin_core.cli import core_cli
from admin_core.cli_context import CORE_APP_EXTENSION
from loyalty_common.request_log import current_request_id
from portal.settings import site_settings

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def create_app(config: dict[str, Any] | None = None, core_app: Flask | None = None) -> Flask:
    site = portal.create_app(config, captive.limits.RULES, captive.limits.DEFAULTS)
    captive.init_captive(site)
    settings = site_settings(site)
    if settings.core_url:
        client = CoreClient(
            settings.core_url,
            settings.core_api_key or "",
            timeout=settings.core_timeout,
            request_id=current_request_id,
        )
        portal.connect_core(site, client)
    else:
        core_app = core_app or admin_core.create_app(
            {"SECRET_KEY": site.config["SECRET_KEY"], **(config or {})}
        )
        portal.connect_core(
            site,
            CoreClient.in_process(
                _errors_to_site(admin_core.trusted_site_app(core_app)), request_id=current_request_id
            ),
        )
        site.extensions[CORE_APP_EXTENSION] = core_app
        site.cli.add_command(core_cli)
        site.wsgi_app = DispatcherMiddleware(site.wsgi_app, {"/core": core_app.wsgi_app})  # type: ignore[method-assign]
    proxies = settings.proxies
    if proxies:
        # Behind that many reverse proxies (the core's pages too): their X-Forwarded-* headers give
        # the client's address (throttling, consent records), scheme and host (CoovaChilli's
        # signature over the splash URL).
        site.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            site.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
    return site


def _errors_to_site(core: WSGIApp) -> WSGIApp:
    """The embedded core writes its errors (Flask logs every exception it answers with a 500) to
    the error stream of the site's request, which its server logs; the in-process transport would
    give it the process's stderr, which a server writing its own log file never reads."""

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if has_request_context():
            environ["wsgi.errors"] = request.environ["wsgi.errors"]
        return core(environ, start_response)

    return wsgi
