"""A merchant's stores, staff accounts, coupons and store figures (merchant key: the merchant's
admin's reach, every store). The staff web UI calls the same services, each staff member within
their own store."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import fields as fields_of
from dataclasses import replace
from typing import Any

from flask import Response, current_app, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import Session, joinedload

from ..context import current_core
from ..database import MAX_ID
from ..models import Coupon, Staff, StaffLevel
from ..services import staff as staff_service
from ..services.figures import MAX_DAYS, SOURCES, Figures, as_csv, store_figures
from ..services.offers import MAX_USES
from ..services.staff import StaffScope
from ..services.staff_invitations import Mailer, invite_staff, resend_invitation, send_reset_link
from ..services.store_coupons import coupons_in_scope, create_coupon, set_coupon_published
from ..staff.mails import staff_mailer
from .auth import authenticate, scope
from .idempotent import IDEMPOTENCY_DOC, run_once

blp = Blueprint("team", __name__, description="Stores, staff, coupons and store figures (merchant key)")
blp.before_request(authenticate)


def merchant_scope() -> staff_service.StaffScope:
    return staff_service.StaffScope.merchant(scope().merchant.id)


class DaySchema(Schema):
    day = fields.Date(required=True)
    sign_ups = fields.Integer(required=True)
    wifi_sign_ups = fields.Integer(required=True)
    vouchers_collected = fields.Integer(required=True)
    points_issued = fields.Integer(required=True)
    points_redeemed = fields.Integer(
        required=True, metadata={"description": "Less cancelled vouchers' points"}
    )


class SummarySchema(Schema):
    new_members = fields.Dict(
        keys=fields.String(validate=validate.OneOf(SOURCES)),
        values=fields.Integer(),
        required=True,
        metadata={"description": "By where they signed up: web, wifi, import, till"},
    )
    active_members = fields.Integer(required=True, metadata={"description": "Cards with an operation"})
    points_issued = fields.Integer(required=True)
    points_redeemed = fields.Integer(required=True)
    redemption_rate = fields.Float(allow_none=True, metadata={"description": "Redeemed / issued"})
    credit_sold = fields.Integer(required=True, metadata={"description": "Minor units"})
    credit_spent = fields.Integer(required=True, metadata={"description": "Minor units"})
    vouchers_issued = fields.Integer(allow_none=True, metadata={"description": "None for one store"})
    vouchers_collected = fields.Integer(required=True)
    wifi_visits = fields.Integer(required=True)
    returning_guests = fields.Integer(required=True)
    returning_rate = fields.Float(allow_none=True, metadata={"description": "Returning / visits"})


class FiguresSchema(Schema):
    store = fields.String(allow_none=True, metadata={"description": "None: every store"})
    first = fields.Date(required=True)
    last = fields.Date(required=True)
    days = fields.List(fields.Nested(DaySchema), required=True)
    summary = fields.Nested(SummarySchema, required=True)


class FiguresQuerySchema(Schema):
    days = fields.Integer(load_default=30, validate=validate.Range(1, MAX_DAYS))
    first = fields.Date(load_default=None, metadata={"description": "With `last`: the period, both included"})
    last = fields.Date(load_default=None)


class StaffInSchema(Schema):
    first_name = fields.String(required=True, validate=validate.Length(max=1000))
    last_name = fields.String(required=True, validate=validate.Length(max=1000))
    email = fields.String(required=True, validate=validate.Length(max=1000))
    password = fields.String(
        load_default=None,
        validate=validate.Length(max=1000),
        metadata={
            "description": "Omitted: the person is invited by e-mail and chooses their own; sent: the"
            " account logs in with it at once"
        },
    )
    level = fields.Enum(StaffLevel, by_value=True, required=True)
    store = fields.String(load_default=None, allow_none=True, metadata={"description": "None for an ADMIN"})
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))


class StaffChangesSchema(Schema):
    """Only what is sent changes."""

    first_name = fields.String(validate=validate.Length(max=1000))
    last_name = fields.String(validate=validate.Length(max=1000))
    phone = fields.String(allow_none=True, validate=validate.Length(max=100))
    level = fields.Enum(StaffLevel, by_value=True)
    store = fields.String(allow_none=True, metadata={"description": "None for an ADMIN"})
    disabled = fields.Boolean()
    reset_two_factor = fields.Boolean()


class StaffSchema(Schema):
    id = fields.Integer(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    email = fields.String(required=True)
    phone = fields.String(allow_none=True)
    level = fields.Enum(StaffLevel, by_value=True, required=True)
    store = fields.Function(lambda staff: staff.store.code if staff.store else None, allow_none=True)
    two_factor = fields.Function(lambda staff: staff.totp_enabled_at is not None)
    disabled = fields.Function(lambda staff: staff.disabled_at is not None)
    invited = fields.Boolean(
        required=True, metadata={"description": "Invited by e-mail and not yet joined: no password yet"}
    )


class StaffListSchema(Schema):
    staff = fields.List(fields.Nested(StaffSchema), required=True)


class CouponInSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(max=1000))
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    valid_from = fields.AwareDateTime(required=True)
    valid_until = fields.AwareDateTime(required=True)
    store = fields.String(load_default=None, allow_none=True, metadata={"description": "None: every store"})
    uses_per_card = fields.Integer(
        load_default=1,
        allow_none=True,
        validate=validate.Range(1, MAX_USES),
        metadata={"description": "Uses each card has at a till; None: no limit"},
    )
    group_id = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(1, MAX_ID),
        metadata={"description": "A customer group: only its members see and use it; null: everyone"},
    )


class ManagedCouponSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    code = fields.String(allow_none=True)
    valid_from = fields.DateTime(required=True)
    valid_until = fields.DateTime(required=True)
    published = fields.Boolean(required=True)
    uses_per_card = fields.Integer(allow_none=True, metadata={"description": "None: no limit"})
    store = fields.Function(lambda coupon: coupon.store.code if coupon.store else None, allow_none=True)
    group_id = fields.Integer(allow_none=True, metadata={"description": "null: for everyone"})


class CouponListSchema(Schema):
    coupons = fields.List(fields.Nested(ManagedCouponSchema), required=True)


class CouponChangesSchema(Schema):
    published = fields.Boolean(required=True)


@blp.route("/stores/<code>/figures", methods=["GET"])
@blp.arguments(FiguresQuerySchema, location="query")
@blp.response(200, FiguresSchema)
def read_figures(query: dict[str, Any], code: str) -> Figures:
    """The period's summary and its days in the merchant's time zone (see services/figures): the
    last `days` days, or from `first` to `last`. The code `*` gives every store together. Errors:
    422 period_reversed, period_too_long; 404 unknown_store."""
    with current_core().db.read() as session:
        return _figures(session, query, code)


def _figures(session: Session, query: dict[str, Any], code: str) -> Figures:
    return store_figures(
        session,
        merchant_scope(),
        None if code == "*" else code,
        query["days"],
        first=query["first"],
        last=query["last"],
    )


@blp.route("/stores/<code>/figures.csv", methods=["GET"])
@blp.arguments(FiguresQuerySchema, location="query")
@blp.response(200, description="CSV (text/csv), a header line then a line a day")
def export_figures(query: dict[str, Any], code: str) -> Response:
    """The days of the figures as CSV: day, sign_ups, wifi_sign_ups, vouchers_collected,
    points_issued, points_redeemed."""
    with current_core().db.read() as session:
        return Response(as_csv(_figures(session, query, code)), mimetype="text/csv")


@blp.route("/staff", methods=["GET"])
@blp.response(200, StaffListSchema)
def list_staff() -> dict[str, list[Staff]]:
    with current_core().db.read() as session:
        return {"staff": staff_service.list_staff(session, merchant_scope())}


@blp.route("/staff", methods=["POST"])
@blp.arguments(StaffInSchema)
@blp.response(201, StaffSchema)
@blp.doc(**IDEMPOTENCY_DOC)
def create_staff(payload: dict[str, Any]) -> Response:
    """A staff account, once per Idempotency-Key. Without a password the person is invited: an
    e-mail (in the merchant's language) with a link to choose their own, working once for
    STAFF_INVITATION_MAX_AGE. Errors: 422 store_required (a MANAGER or USER works at one store, an
    ADMIN at none), unknown_store, invalid_email, password_too_short…; 409 staff_exists."""
    core, reach = current_core(), merchant_scope()
    new = staff_service.NewStaff(**payload)
    password_hash = None if new.password is None else staff_service.password_hash_of(core.passwords, new)
    mailer = staff_mailer()

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        if password_hash is None:
            return 201, StaffSchema().dump(invite_staff(session, mailer, reach, new))
        return 201, StaffSchema().dump(staff_service.add_account(session, reach, new, password_hash))

    # The attempt's fingerprint is stored: it holds a keyed digest of the password, never the password.
    sent = request.get_json() | {"password": _digest(new.password)}
    return run_once(reach.merchant_id, "staff", sent, work)


def _digest(password: str | None) -> str | None:
    if password is None:
        return None
    key = current_app.secret_key or b""
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, password.encode(), "sha256").hexdigest()


@blp.route("/staff/<int:staff_id>/invitation", methods=["POST"])
@blp.response(202, StaffSchema)
@blp.doc(**IDEMPOTENCY_DOC)
def resend_staff_invitation(staff_id: int) -> Response:
    """The invitation again, once per Idempotency-Key; the links sent before stop working. Errors:
    409 already_joined, member_switched_off; 404 staff_not_found."""
    return _send(staff_id, "invitation", resend_invitation)


@blp.route("/staff/<int:staff_id>/reset", methods=["POST"])
@blp.response(202, StaffSchema)
@blp.doc(**IDEMPOTENCY_DOC)
def send_staff_reset_link(staff_id: int) -> Response:
    """A link to choose a new password, e-mailed to the member, once per Idempotency-Key; their
    password works until they use it. Errors: 409 not_joined (send the invitation instead),
    member_switched_off; 404 staff_not_found."""
    return _send(staff_id, "reset", send_reset_link)


def _send(staff_id: int, what: str, send: Callable[[Session, Mailer, StaffScope, int], Staff]) -> Response:
    reach, mailer = merchant_scope(), staff_mailer()

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        return 202, StaffSchema().dump(send(session, mailer, reach, staff_id))

    return run_once(reach.merchant_id, f"staff/{staff_id}/{what}", {}, work)


DETAILS = {field.name for field in fields_of(staff_service.StaffDetails)}


@blp.route("/staff/<int:staff_id>", methods=["PATCH"])
@blp.arguments(StaffChangesSchema)
@blp.response(200, StaffSchema)
def change_staff(payload: dict[str, Any], staff_id: int) -> Staff:
    """Errors: 422 store_required (a MANAGER or USER works at one store, an ADMIN at none),
    unknown_store, invalid_phone…; 404 staff_not_found."""
    db, reach = current_core().db, merchant_scope()
    details = {key: payload[key] for key in DETAILS if key in payload}
    if details:
        with db.read() as session:
            current = staff_service.StaffDetails.of(staff_service.get_staff(session, reach, staff_id))
        staff_service.change_staff(db, reach, staff_id, replace(current, **details))
    if "disabled" in payload:
        staff_service.set_staff_disabled(db, reach, staff_id, payload["disabled"])
    if payload.get("reset_two_factor"):
        staff_service.reset_two_factor(db, reach, staff_id)
    with db.read() as session:
        return staff_service.get_staff(session, reach, staff_id)


@blp.route("/coupons", methods=["GET"])
@blp.response(200, CouponListSchema)
def list_coupons() -> dict[str, list[Coupon]]:
    with current_core().db.read() as session:
        return {"coupons": coupons_in_scope(session, merchant_scope())}


@blp.route("/coupons", methods=["POST"])
@blp.arguments(CouponInSchema)
@blp.response(201, ManagedCouponSchema)
def publish(payload: dict[str, Any]) -> Coupon:
    made = create_coupon(
        current_core().db,
        merchant_scope(),
        title=payload["title"],
        description=payload["description"],
        code=payload["code"],
        valid_from=payload["valid_from"],
        valid_until=payload["valid_until"],
        store_code=payload["store"],
        uses_per_card=payload["uses_per_card"],
        group_id=payload["group_id"],
    )
    return _coupon(made.id)


@blp.route("/coupons/<int:coupon_id>", methods=["PATCH"])
@blp.arguments(CouponChangesSchema)
@blp.response(200, ManagedCouponSchema)
def change_coupon(payload: dict[str, Any], coupon_id: int) -> Coupon:
    set_coupon_published(current_core().db, merchant_scope(), coupon_id, payload["published"])
    return _coupon(coupon_id)


def _coupon(coupon_id: int) -> Coupon:
    with current_core().db.read() as session:
        return session.get_one(Coupon, coupon_id, options=[joinedload(Coupon.store)])
