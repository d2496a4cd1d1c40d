"""The customer portal: /p/<merchant>/…"""

from __future__ import annotations

from flask import Flask


def init_customer_portal(app: Flask) -> None:
    # Each module adds its pages to the blueprint.
    from . import (  # noqa: F401
        card_views,
        history_views,
        join_views,
        offers_views,
        profile_views,
        pwa,
        reset_views,
        reward_views,
        rules_views,
        views,
        wallet_views,
    )
    from .blueprint import bp

    app.register_blueprint(bp)
