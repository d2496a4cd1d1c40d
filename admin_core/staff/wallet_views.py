"""The merchant's admin brings the Apple Wallet credentials: uploaded, checked, replaced, removed;
shown again only masked."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ..context import current_core
from ..errors import CoreError
from ..models import StaffLevel
from ..services.wallet_credentials import (
    MAX_FILE,
    AppleUpload,
    check_upload,
    find_settings,
    remove_credentials,
    save_credentials,
    summary,
)
from .auth import current_scope, staff_required
from .blueprint import bp
from .messages import refusal
from .wallet_forms import WalletForm

FILES = ("p12", "certificate", "private_key", "intermediate", "apns_key")


def _file(name: str) -> bytes | None:
    upload = request.files.get(name)
    return (upload.read(MAX_FILE + 1) or None) if upload else None


def _upload(form: WalletForm) -> AppleUpload:
    files = {name: _file(name) for name in FILES}
    return AppleUpload(
        team_id=form.team_id.data or "",
        pass_type_id=form.pass_type_id.data or "",
        password=form.password.data or "",
        apns_key_id=form.apns_key_id.data or "",
        apns_team_id=form.apns_team_id.data or "",
        **files,
    )


@bp.route("/wallet", methods=["GET", "POST"])
@staff_required(StaffLevel.ADMIN)
def wallet() -> Response | tuple[str, int]:
    core, merchant_id = current_core(), current_scope().merchant_id
    form, status = WalletForm(), 200
    if form.validate_on_submit():
        try:
            save_credentials(core.db, core.wallet_keys, merchant_id, check_upload(_upload(form)))
        except CoreError as error:
            form.form_errors.append(refusal(error))
            status = 422
        else:
            flash(
                _("Apple Wallet credentials saved: customers can add their card to Apple Wallet."), "success"
            )
            return redirect(url_for(".wallet"))
    elif form.errors:
        status = 422
    with core.db.read() as session:
        current = summary(find_settings(session, merchant_id))
    return render_template("staff/wallet.html", form=form, current=current), status


@bp.route("/wallet/remove", methods=["POST"])
@staff_required(StaffLevel.ADMIN)
def remove_wallet() -> Response:
    remove_credentials(current_core().db, current_scope().merchant_id)
    flash(_("Apple Wallet credentials removed: the button is no longer offered."), "success")
    return redirect(url_for(".wallet"))
