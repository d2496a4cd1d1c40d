"""The merchant's admin brings the Google Wallet credentials: the issuer id and the service
account's JSON key, uploaded, checked, replaced, removed; shown again only masked."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ..context import current_core
from ..errors import CoreError
from ..models import StaffLevel
from ..services.wallet_credentials import MAX_FILE
from ..services.wallet_google_credentials import (
    check_upload,
    find_settings,
    remove_credentials,
    save_credentials,
    summary,
)
from .auth import current_scope, staff_required
from .blueprint import bp
from .messages import refusal
from .wallet_forms import GoogleWalletForm


@bp.route("/wallet/google", methods=["GET", "POST"])
@staff_required(StaffLevel.ADMIN)
def google_wallet() -> Response | tuple[str, int]:
    core, merchant_id = current_core(), current_scope().merchant_id
    form, status = GoogleWalletForm(), 200
    if form.validate_on_submit():
        upload = request.files.get("service_account")
        try:
            credentials = check_upload(
                form.issuer_id.data or "", upload.read(MAX_FILE + 1) if upload else None
            )
            save_credentials(core.db, core.wallet_keys, merchant_id, credentials)
        except CoreError as error:
            form.form_errors.append(refusal(error))
            status = 422
        else:
            flash(
                _("Google Wallet credentials saved: customers can save their card to Google Wallet."),
                "success",
            )
            return redirect(url_for(".google_wallet"))
    elif form.errors:
        status = 422
    with core.db.read() as session:
        current = summary(find_settings(session, merchant_id))
    return render_template("staff/wallet_google.html", form=form, current=current), status


@bp.route("/wallet/google/remove", methods=["POST"])
@staff_required(StaffLevel.ADMIN)
def remove_google_wallet() -> Response:
    remove_credentials(current_core().db, current_scope().merchant_id)
    flash(_("Google Wallet credentials removed: the button is no longer offered."), "success")
    return redirect(url_for(".google_wallet"))
