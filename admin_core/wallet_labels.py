"""The words on a pass (its pass.strings), in each language the portal speaks, through the
catalogues like every other string."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from .services.portal_settings import LOCALES


def _labels(merchant_name: str) -> dict[str, str]:
    return {
        "description": _("%(merchant)s loyalty card", merchant=merchant_name),
        "points": _("Points"),
        "points_changed": _("You now have %@ points."),
        "tier": _("Tier"),
        "credit": _("Credit"),
        "next_reward": _("Next reward"),
        "points_to_go": _("Points to go"),
        "holder": _("Card holder"),
        "number": _("Card number"),
        "portal": _("Your card online"),
        "rules": _("Programme rules"),
    }


def pass_labels(merchant_name: str) -> dict[str, dict[str, str]]:
    labels = {}
    for locale in LOCALES:
        with force_locale(locale):
            labels[locale] = _labels(merchant_name)
    return labels
