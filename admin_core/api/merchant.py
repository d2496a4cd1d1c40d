"""The merchant's own settings (merchant key): the portal's switch, look, languages, embedding and
program rules; the logo. The site reads the logo it shows through `/portal/merchant/logo`."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..context import current_core
from ..errors import NotFound
from ..models import Merchant
from ..services import logos
from ..services.merchants import get_merchant_by_id
from ..services.portal_settings import (
    MAX_ORIGINS,
    POINTS_PER_UNIT,
    TIER_PERIOD_MONTHS,
    VALIDITY_MONTHS,
    PortalSettings,
    update_portal_settings,
)
from .auth import authenticate, require_site, scope
from .schemas import MerchantSchema, bounds

blp = Blueprint("merchant", __name__, description="The merchant's portal settings and logo (merchant key)")
blp.before_request(authenticate)
site_blp = Blueprint("merchant_logo", __name__, description="The logo the portal shows (site key only)")
site_blp.before_request(authenticate)
site_blp.before_request(require_site)


def _text(size: int, **options: Any) -> fields.String:
    return fields.String(validate=validate.Length(max=size), **options)


class PortalSettingsSchema(Schema):
    """Types and sizes; the rules (contrast, origins, languages…) answer 422 with their own codes."""

    portal_enabled = fields.Boolean()
    header_text = _text(5000)
    footer_text = _text(5000)
    accent_color = _text(16)
    accent_text_color = _text(16)
    default_locale = _text(8)
    offered_locales = fields.List(_text(8), validate=validate.Length(max=10))
    timezone = _text(64)
    currency = _text(8)
    embed_origins = fields.List(_text(300), validate=validate.Length(max=MAX_ORIGINS * 2))
    points_per_unit = fields.Integer(strict=True, metadata=bounds(POINTS_PER_UNIT))
    points_validity_months = fields.Integer(
        strict=True, metadata={"description": "0: never expire", **bounds(VALIDITY_MONTHS)}
    )
    tier_period_months = fields.Integer(strict=True, metadata=bounds(TIER_PERIOD_MONTHS))
    terms_url = _text(1000, metadata={"description": "Empty: none"})
    privacy_url = _text(1000, metadata={"description": "Empty: none"})
    staff_2fa_required = fields.Boolean()


def _merchant() -> Merchant:
    with current_core().db.read() as session:
        return get_merchant_by_id(session, scope().merchant.id)


@blp.route("", methods=["GET"])
@blp.response(200, MerchantSchema)
def read_settings() -> Merchant:
    return _merchant()


@blp.route("", methods=["PATCH"])
@blp.arguments(PortalSettingsSchema)
@blp.response(200, MerchantSchema)
def change_settings(payload: dict[str, Any]) -> Merchant:
    """Change what is given. Errors: 422 low_contrast, invalid_color, invalid_origin,
    too_many_origins, invalid_locales, invalid_default_locale, invalid_timezone, invalid_currency,
    currency_in_use (cards have operations or money in the current one: it is never converted)…"""
    return update_portal_settings(current_core().db, scope().merchant.id, PortalSettings(**payload))


@blp.route("/logo", methods=["PUT"])
@blp.response(200, MerchantSchema)
@blp.doc(
    requestBody={"content": {"image/*": {"schema": {"type": "string", "format": "binary"}}}},
)
def upload_logo() -> Merchant:
    """The request body is the image: PNG, JPEG or SVG, up to 256 KB. An SVG with scripts, links
    or anything but drawing is refused (422 unsafe_svg)."""
    logos.set_logo(current_core().db, scope().merchant.id, request.get_data(cache=False))
    return _merchant()


@blp.route("/logo", methods=["DELETE"])
@blp.response(200, MerchantSchema)
def delete_logo() -> Merchant:
    logos.remove_logo(current_core().db, scope().merchant.id)
    return _merchant()


@site_blp.route("/logo", methods=["GET"])
@site_blp.response(200, description="The image, with its content type")
def read_logo() -> Response:
    with current_core().db.read() as session:
        logo = logos.find_logo(session, scope().merchant.id)
    if logo is None:
        raise NotFound("no_logo", "This merchant has no logo.")
    return Response(logo.data, mimetype=logo.content_type, headers={"ETag": f'"{logo.digest}"'})
