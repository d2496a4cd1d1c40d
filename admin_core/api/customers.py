"""Customers (merchant key): the staff UI's search, a page at a time, and the customer card."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import Session

from ..context import current_core
from ..database import MAX_ID
from ..models import CustomerSource
from ..services.customer_card import CustomerCard, customer_card
from ..services.customer_search import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_QUERY,
    CustomerFilters,
    CustomerPage,
    CustomerRow,
    search_customers,
)
from ..services.enrolment import NewCustomer, enrol, enrolled
from ..services.staff import StaffScope
from .auth import authenticate, scope
from .idempotent import IDEMPOTENCY_DOC, run_once
from .program_schemas import TierSchema
from .team import merchant_scope

blp = Blueprint("customers", __name__, description="Customers: search and the customer card (merchant key)")
blp.before_request(authenticate)


class CustomerQuerySchema(Schema):
    q = fields.String(
        load_default="",
        validate=validate.Length(max=MAX_QUERY),
        metadata={
            "description": "The start of a name (either order), an e-mail address, a phone number or "
            "a card number; any case, accents optional. Empty: every customer"
        },
    )
    cursor = fields.String(
        load_default=None, metadata={"description": "A page's `next_cursor` or `previous_cursor`"}
    )
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(1, MAX_LIMIT))
    marketing = fields.Boolean(load_default=None, metadata={"description": "Consent to marketing given"})
    source = fields.Enum(
        CustomerSource, by_value=True, load_default=None, metadata={"description": "Where they signed up"}
    )
    store = fields.String(load_default=None, metadata={"description": "The code of their home store"})
    group = fields.Integer(
        load_default=None,
        validate=validate.Range(1, MAX_ID),
        metadata={"description": "The id of a customer group they belong to"},
    )


class HomeStoreSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class CustomerRowSchema(Schema):
    number = fields.String(required=True, metadata={"description": "The card's number"})
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    points = fields.Integer(required=True)
    credit = fields.Integer(required=True, metadata={"description": "Prepaid credit, minor units"})
    discount = fields.Integer(required=True, metadata={"description": "Discount balance, minor units"})
    store = fields.Nested(HomeStoreSchema, allow_none=True, metadata={"description": "Home store"})
    source = fields.Enum(
        CustomerSource,
        by_value=True,
        allow_none=True,
        metadata={"description": "Where they signed up; null: unknown"},
    )
    marketing_consent = fields.Boolean(required=True)
    signed_up_at = fields.DateTime(required=True)


class CustomerPageSchema(Schema):
    customers = fields.List(fields.Nested(CustomerRowSchema), required=True)
    next_cursor = fields.String(
        allow_none=True, metadata={"description": "Opaque; pass as `cursor` for the next page"}
    )
    previous_cursor = fields.String(
        allow_none=True, metadata={"description": "Opaque; pass as `cursor` for the page before"}
    )


def _row(row: CustomerRow) -> dict[str, Any]:
    store = {"code": row.store_code, "name": row.store_name} if row.store_code is not None else None
    return {**vars(row), "store": store}


@blp.route("", methods=["GET"])
@blp.arguments(CustomerQuerySchema, location="query")
@blp.response(200, CustomerPageSchema)
def list_customers(query: dict[str, Any]) -> dict[str, Any]:
    """The merchant's customers matching `q` and the filters, newest card first. A cursor that is
    not one given for this search answers 422 `invalid_cursor`; an unknown store 422
    `unknown_store`, an unknown group 422 `unknown_group`."""
    filters = CustomerFilters(query["marketing"], query["source"], query["store"], query["group"])
    with current_core().db.read() as session:
        page = search_customers(
            session,
            StaffScope.merchant(scope().merchant.id),
            query["q"],
            filters,
            query["cursor"],
            query["limit"],
        )
    return page_body(page)


def page_body(page: CustomerPage) -> dict[str, Any]:
    return {
        "customers": [_row(row) for row in page.rows],
        "next_cursor": page.next_cursor,
        "previous_cursor": page.previous_cursor,
    }


class RecordedOperationSchema(Schema):
    created_at = fields.DateTime(required=True)
    kind = fields.String(required=True)
    points = fields.Integer(required=True)
    credit = fields.Integer(required=True, metadata={"description": "Minor units"})
    discount = fields.Integer(required=True, metadata={"description": "Minor units"})
    description = fields.String(allow_none=True)
    store = fields.String(allow_none=True, metadata={"description": "The store's name"})
    recorded_by = fields.String(allow_none=True, metadata={"description": "The staff member at the till"})


class CardVoucherSchema(Schema):
    code = fields.String(required=True)
    reward = fields.String(required=True)
    points = fields.Integer(required=True)
    status = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    expires_at = fields.DateTime(required=True)


class CardPassSchema(Schema):
    name = fields.String(required=True)
    entries_total = fields.Integer(allow_none=True)
    entries_left = fields.Integer(allow_none=True)
    valid_from = fields.DateTime(required=True)
    valid_until = fields.DateTime(required=True)


class ConsentRecordSchema(Schema):
    created_at = fields.DateTime(required=True)
    kind = fields.String(required=True)
    granted = fields.Boolean(required=True)
    version = fields.String(required=True)
    source = fields.String(required=True)
    ip_address = fields.String(allow_none=True)


class CustomerCardSchema(CustomerRowSchema):
    birth_date = fields.Date(allow_none=True)
    locale = fields.String(allow_none=True)
    activated = fields.Boolean(required=True)
    blocked = fields.Boolean(required=True, metadata={"description": "No portal login, no till"})
    earlier_numbers = fields.List(
        fields.String(), required=True, metadata={"description": "Lost cards it replaced, latest first"}
    )
    tier = fields.Nested(TierSchema, allow_none=True)
    operations = fields.List(
        fields.Nested(RecordedOperationSchema), required=True, metadata={"description": "The latest 50"}
    )
    vouchers = fields.List(fields.Nested(CardVoucherSchema), required=True)
    passes = fields.List(fields.Nested(CardPassSchema), required=True)
    consents = fields.List(fields.Nested(ConsentRecordSchema), required=True)


def _card(found: CustomerCard) -> dict[str, Any]:
    card, customer = found.card, found.card.customer
    home = found.home_store
    return {
        **vars(customer),
        "number": card.number,
        "points": card.points,
        "credit": card.credit,
        "discount": card.discount,
        "store": {"code": home.code, "name": home.name} if home else None,
        "signed_up_at": customer.created_at,
        "activated": card.activated_at is not None,
        "blocked": card.blocked_at is not None,
        "earlier_numbers": found.earlier_numbers,
        "tier": found.tier,
        "operations": [
            {
                **vars(entry.operation),
                "kind": entry.operation.kind.value,
                "store": entry.store_name,
                "recorded_by": entry.recorded_by,
            }
            for entry in found.operations
        ],
        "vouchers": [
            {**vars(voucher), "reward": voucher.reward.name, "status": voucher.status.value}
            for voucher in found.vouchers
        ],
        "passes": found.passes,
        "consents": [{**vars(record), "kind": record.kind.value} for record in found.consents],
    }


@blp.route("/<number>", methods=["GET"])
@blp.response(200, CustomerCardSchema)
def read_customer(number: str) -> dict[str, Any]:
    """The customer card: details, balances, tier, the latest operations with who recorded them,
    vouchers, passes, consents log. Another merchant's card answers 404 `card_not_found`; a
    replaced card's old number 410 `card_replaced`, naming the new one."""
    with current_core().db.read() as session:
        return _card(customer_card(session, StaffScope.merchant(scope().merchant.id), number))


class NewCustomerSchema(Schema):
    first_name = fields.String(required=True, validate=validate.Length(max=100))
    last_name = fields.String(load_default="", validate=validate.Length(max=100))
    email = fields.String(load_default="", validate=validate.Length(max=254))
    phone = fields.String(load_default="", validate=validate.Length(max=32))
    locale = fields.String(
        load_default="", metadata={"description": "One of the merchant's offered languages; empty: none"}
    )
    marketing = fields.Boolean(load_default=False, metadata={"description": "Consent to marketing given"})
    number = fields.String(
        load_default="",
        validate=validate.Length(max=64),
        metadata={
            "description": "A pre-printed card's number (spaces, dashes and case ignored); empty: a new one"
        },
    )
    store = fields.String(required=True, metadata={"description": "The code of the store enrolling them"})


class EnrolledSchema(Schema):
    card_number = fields.String(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    locale = fields.String(allow_none=True)
    marketing_consent = fields.Boolean(required=True)
    store = fields.String(allow_none=True, metadata={"description": "Their home store's code"})


@blp.route("", methods=["POST"])
@blp.arguments(NewCustomerSchema)
@blp.response(201, EnrolledSchema)
@blp.doc(**IDEMPOTENCY_DOC)
def create_customer(payload: dict[str, Any]) -> Response:
    """A walk-in customer with a new card, once per Idempotency-Key. Errors: 422 invalid_first_name,
    invalid_last_name, invalid_email, invalid_phone, invalid_language, invalid_card_number,
    unknown_store; 409 card_exists, email_taken (one card per e-mail address), store_inactive."""
    reach = merchant_scope()
    new = NewCustomer(**payload)

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        return 201, enrolled(session, enrol(current_core().db, session, reach, new, "api"))

    return run_once(reach.merchant_id, "customers", request.get_json(), work)
