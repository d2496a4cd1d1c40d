"""The card's history: every operation, newest first, a page at a time."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from admin_api_client import HistoryEntry, Invalid

from ..core import merchant_core
from ..i18n import money
from .blueprint import bp
from .session import customer_required

PAGE_SIZE = 20
KIND_LABELS = {
    "earn_points": _l("Purchase"),
    "redeem_points": _l("Reward"),
    "reward": _l("Reward"),
    "topup_credit": _l("Top-up"),
    "spend_credit": _l("Payment"),
    "reward_refund": _l("Reward refund"),
    "expiry": _l("Points expired"),
    "adjustment": _l("Adjustment"),
    "purchase": _l("Purchase"),
    "void": _l("Correction: an operation cancelled"),
    "pass_sale": _l("Pass bought"),
    "pass_entry": _l("Pass entry"),
    "coupon_use": _l("Coupon used"),
    "stamp": _l("Stamps"),
    "welcome_bonus": _l("Welcome bonus"),
    "visit_bonus": _l("Wi-Fi visit"),
}


def operation_label(entry: HistoryEntry) -> str:
    if entry.kind == "reward" and entry.description:
        return _("Reward: %(name)s", name=entry.description)
    if entry.kind == "reward_refund" and entry.description:
        return _("Reward refund: %(name)s", name=entry.description)
    if entry.kind == "pass_sale" and entry.description:
        return _("Pass bought: %(name)s", name=entry.description)
    if entry.kind == "coupon_use" and entry.description:
        return _("Coupon used: %(title)s", title=entry.description)
    if entry.kind == "stamp" and entry.stamps is not None:
        return ngettext(
            "%(num)d stamp on your %(name)s card",
            "%(num)d stamps on your %(name)s card",
            entry.stamps,
            name=entry.description or "",
        )
    if entry.kind == "pass_entry" and entry.description:
        return _("Pass entry: %(name)s", name=entry.description)
    if entry.kind == "purchase" and entry.purchase_amount is not None:
        return _("Purchase of %(amount)s", amount=money(entry.purchase_amount, g.merchant.currency))
    return str(KIND_LABELS.get(entry.kind, _l("Operation")))


@bp.route("/history")
@customer_required
def history() -> str | Response:
    try:
        page = merchant_core().card_history(
            current_user.number, request.args.get("before"), PAGE_SIZE, after=request.args.get("after")
        )
    except Invalid:
        # An edited or stale link: start again from the newest operations.
        return redirect(url_for(".history"))
    return render_template(
        "customer/history.html",
        page=page,
        currency=g.merchant.currency,
        label=operation_label,
    )
