"""Rewards: the catalogue, redeeming one into a voucher, and the vouchers waiting at the till."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from admin_api_client import Conflict, Gone, Invalid, NotFound
from loyalty_common.error_codes import Code

from ..core import merchant_core
from .barcodes import qr_svg
from .blueprint import bp
from .session import customer_required


@bp.route("/rewards")
@customer_required
def rewards() -> str:
    catalogue = merchant_core().card_rewards(current_user.number)
    # One attempt id per page view: a double click sends it twice and gets one voucher.
    return render_template("customer/rewards.html", catalogue=catalogue, attempt=uuid.uuid4().hex)


@bp.route("/rewards/<int:reward_id>/redeem", methods=["POST"])
@customer_required
def redeem(reward_id: int) -> Response:
    attempt = request.form.get("attempt", "")
    try:
        uuid.UUID(hex=attempt)
    except ValueError:
        flash(_("This page was out of date. Please try again."), "error")
        return redirect(url_for(".rewards"), 303)
    try:
        result = merchant_core().redeem_reward(current_user.number, reward_id, idempotency_key=attempt)
    except NotFound:
        abort(404)
    except Conflict as error:
        refusals: dict[str, str] = {
            Code.INSUFFICIENT_POINTS: _("You do not have enough points for this reward."),
            Code.NO_CAMPAIGN: _("Rewards can be taken only while a points campaign is on."),
        }
        message = refusals.get(error.code, _("This reward cannot be taken now."))
        flash(message, "error")
        return redirect(url_for(".rewards"), 303)
    except Invalid:  # the attempt id was used for another reward: a tampered form
        flash(_("This page was out of date. Please try again."), "error")
        return redirect(url_for(".rewards"), 303)
    if not result.replayed:
        flash(_("Done! Show this voucher at the till."), "success")
    return redirect(url_for(".voucher", code=result.voucher.code), 303)


@bp.route("/vouchers")
@customer_required
def vouchers() -> str:
    return render_template(
        "customer/vouchers.html", vouchers=merchant_core().card_vouchers(current_user.number)
    )


@bp.route("/vouchers/<code>")
@customer_required
def voucher(code: str) -> str | Response:
    found = next((v for v in merchant_core().card_vouchers(current_user.number) if v.code == code), None)
    if found is None:
        flash(_("This voucher is no longer open: it was collected, cancelled or has expired."), "info")
        return redirect(url_for(".vouchers"))
    qr = qr_svg(found.code, _("QR code of voucher %(code)s", code=found.code))
    return render_template("customer/voucher.html", voucher=found, qr=qr)


@bp.route("/vouchers/<code>/cancel", methods=["POST"])
@customer_required
def cancel_voucher(code: str) -> Response:
    try:
        result = merchant_core().cancel_card_voucher(current_user.number, code)
    except (NotFound, Gone):
        flash(_("This voucher is no longer open: it was collected, cancelled or has expired."), "info")
        return redirect(url_for(".vouchers"), 303)
    flash(
        ngettext(
            "Voucher cancelled: %(num)d point is back on your card.",
            "Voucher cancelled: %(num)d points are back on your card.",
            result.voucher.points,
        ),
        "success",
    )
    return redirect(url_for(".vouchers"), 303)
