"""Wi-Fi registration: a venue's hotspot controller sends the guest's phone to our splash page
(/wifi/<hotspot>); they sign up, or are recognised, and we make the controller let them online.
One adapter per controller in `adapters/`."""

from __future__ import annotations

from flask import Flask

from .settings import init_wifi_settings


def init_captive(app: Flask) -> None:
    init_wifi_settings(app)  # a wrong value stops the site here
    from . import confirm_views, views  # noqa: F401  (the routes)
    from .blueprint import bp

    app.register_blueprint(bp)
