"""The merchant's admin makes the portal theirs: on or off, look, languages, where it may be
embedded, the program rules it shows, the logo."""

from __future__ import annotations

from dataclasses import fields

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from loyalty_common.rules import LOCALES

from ..context import current_core
from ..errors import CoreError
from ..models import Merchant, StaffLevel
from ..services import logos
from ..services.merchants import get_merchant_by_id
from ..services.portal_settings import PortalSettings, update_portal_settings
from .auth import current_scope, staff_required
from .blueprint import bp
from .forms import SettingsForm, say_refusal
from .messages import refusal

# The field a refusal is about, said there; others (two colours together) above the form.
FIELD_OF = {
    "invalid_currency": "currency",
    "currency_in_use": "currency",
    "invalid_timezone": "timezone",
    "invalid_locales": "offered_locales",
    "invalid_default_locale": "default_locale",
    "invalid_origin": "embed_origins",
    "too_many_origins": "embed_origins",
}


def _form(merchant: Merchant) -> SettingsForm:
    """The settings as the form shows them, so that sending it back unchanged saves them unchanged.
    (Not `obj=merchant`: WTForms would then take each column as it is, a list of origins included,
    over the shown values.)"""
    saved = {setting.name: getattr(merchant, setting.name) for setting in fields(PortalSettings)}
    form = SettingsForm(
        data=saved
        | {
            "offered_locales": merchant.offered_locales.replace(",", ", "),
            "embed_origins": "\n".join(merchant.embed_origins),  # one origin per line
            "points_validity_months": merchant.points_validity_months or 0,
            "terms_url": merchant.terms_url or "",
            "privacy_url": merchant.privacy_url or "",
        }
    )
    form.default_locale.choices = [SelectChoice(code) for code in LOCALES]
    return form


def _merchant() -> Merchant:
    with current_core().db.read() as session:
        return get_merchant_by_id(session, current_scope().merchant_id)


@bp.route("/settings", methods=["GET", "POST"])
@staff_required(StaffLevel.ADMIN)
def settings() -> Response | str | tuple[str, int]:
    form = _form(_merchant())
    status = 200
    if form.validate_on_submit():
        changes = PortalSettings(
            portal_enabled=form.portal_enabled.data,
            header_text=form.header_text.data or "",
            footer_text=form.footer_text.data or "",
            accent_color=form.accent_color.data,
            accent_text_color=form.accent_text_color.data,
            default_locale=form.default_locale.data,
            offered_locales=[
                code.strip() for code in (form.offered_locales.data or "").split(",") if code.strip()
            ],
            timezone=form.timezone.data,
            currency=form.currency.data,
            embed_origins=(form.embed_origins.data or "").split(),
            points_per_unit=form.points_per_unit.data,
            points_validity_months=form.points_validity_months.data,
            tier_period_months=form.tier_period_months.data,
            terms_url=form.terms_url.data or "",
            privacy_url=form.privacy_url.data or "",
            staff_2fa_required=form.staff_2fa_required.data,
        )
        try:
            update_portal_settings(current_core().db, current_scope().merchant_id, changes)
        except CoreError as error:
            field = FIELD_OF.get(error.code)
            say_refusal(form, form[field] if field else None, refusal(error))
            status = 422
        else:
            flash(_("Settings saved."), "success")
            return redirect(url_for(".settings"))
    elif form.errors:
        status = 422
    return render_template("staff/settings.html", form=form, merchant=_merchant()), status


@bp.route("/settings/logo", methods=["POST"])
@staff_required(StaffLevel.ADMIN)
def logo() -> Response:
    merchant_id = current_scope().merchant_id
    try:
        if request.form.get("remove"):
            logos.remove_logo(current_core().db, merchant_id)
        else:
            upload = request.files.get("logo")
            logos.set_logo(
                current_core().db, merchant_id, upload.read(logos.MAX_BYTES + 1) if upload else b""
            )
    except CoreError as error:
        flash(refusal(error), "error")
    else:
        flash(_("Logo saved."), "success")
    return redirect(url_for(".settings"))
