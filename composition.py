"""The one composition root: the deployable app is assembled here, and nowhere else does the site
meet the core. With ADMIN_CORE_URL the site calls that core over HTTP; without it, the core is
built (or `core_app` taken), mounted at /core and called in-process: the embedded deployment."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.middleware.proxy_fix import ProxyFix

import admin_core
import portal
from admin_api_client import CoreClient
from admin_core.cli import core_cli
from admin_core.cli_context import CORE_APP_EXTENSION


def create_app(config: dict[str, Any] | None = None, core_app: Flask | None = None) -> Flask:
    site = portal.create_app(config)
    url = site.config["ADMIN_CORE_URL"]
    if url:
        client = CoreClient(
            url, site.config["ADMIN_CORE_API_KEY"], timeout=float(site.config["ADMIN_CORE_TIMEOUT"])
        )
        portal.connect_core(site, client)
    else:
        core_app = core_app or admin_core.create_app(
            {"SECRET_KEY": site.config["SECRET_KEY"], **(config or {})}
        )
        portal.connect_core(site, CoreClient.in_process(admin_core.trusted_site_app(core_app)))
        site.extensions[CORE_APP_EXTENSION] = core_app
        site.cli.add_command(core_cli)
        site.wsgi_app = DispatcherMiddleware(site.wsgi_app, {"/core": core_app.wsgi_app})  # type: ignore[method-assign]
    proxies = int(site.config.get("PROXIES") or 0)
    if proxies:
        # Behind that many reverse proxies (the core's pages too): their X-Forwarded-* headers give
        # the client's address (throttling, consent records), scheme and host (CoovaChilli's
        # signature over the splash URL).
        site.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            site.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
    return site
