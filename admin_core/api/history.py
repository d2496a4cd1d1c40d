"""A card's operations, a page at a time, for the portal site."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..context import current_core
from ..models import OperationKind
from ..services.history import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    Cursor,
    HistoryEntry,
    card_history,
    decode_cursor,
    encode_cursor,
)
from .auth import authenticate, portal_merchant, require_site

blp = Blueprint("history", __name__, description="A card's history (site key only)")
blp.before_request(authenticate)
blp.before_request(require_site)


class HistoryQuerySchema(Schema):
    before = fields.String(
        load_default=None,
        metadata={"description": "A page's `next_cursor`: the operations older than that page"},
    )
    after = fields.String(
        load_default=None,
        metadata={"description": "A page's `previous_cursor`: the operations newer than that page"},
    )
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(1, MAX_LIMIT))


class StoreRefSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class HistoryEntrySchema(Schema):
    id = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    kind = fields.Enum(OperationKind, by_value=True, required=True)
    points = fields.Integer(required=True, metadata={"description": "Change of the points balance"})
    credit = fields.Integer(required=True, metadata={"description": "Change of prepaid credit, minor units"})
    discount = fields.Integer(required=True, metadata={"description": "Discount granted, minor units"})
    description = fields.String(allow_none=True, metadata={"description": "The reward, for `reward`"})
    store = fields.Nested(StoreRefSchema, allow_none=True)
    stamps = fields.Integer(
        allow_none=True,
        metadata={"description": "For `stamp`: how many, on the stamp card `description` names"},
    )
    purchase_amount = fields.Integer(
        allow_none=True, metadata={"description": "A purchase's receipt, minor units"}
    )


class HistoryPageSchema(Schema):
    entries = fields.List(fields.Nested(HistoryEntrySchema), required=True)
    next_cursor = fields.String(
        allow_none=True, metadata={"description": "Opaque; pass as `before` for older operations"}
    )
    previous_cursor = fields.String(
        allow_none=True, metadata={"description": "Opaque; pass as `after` for newer operations"}
    )


def _cursor(text: str | None) -> Cursor | None:
    return decode_cursor(text) if text is not None else None


def _entry(entry: HistoryEntry) -> dict[str, Any]:
    store = {"code": entry.store_code, "name": entry.store_name} if entry.store_code is not None else None
    return {**vars(entry), "store": store}


@blp.route("/<number>/history", methods=["GET"])
@blp.arguments(HistoryQuerySchema, location="query")
@blp.response(200, HistoryPageSchema)
def read_history(query: dict[str, Any], number: str) -> dict[str, Any]:
    """The card's operations, newest first. A cursor that is not one we gave answers 422
    `invalid_cursor`."""
    merchant = portal_merchant()
    before, after = _cursor(query["before"]), _cursor(query["after"])
    with current_core().db.read() as session:
        page = card_history(session, merchant.id, number, before=before, after=after, limit=query["limit"])
    return {
        "entries": [_entry(entry) for entry in page.entries],
        "next_cursor": encode_cursor(page.older) if page.older else None,
        "previous_cursor": encode_cursor(page.newer) if page.newer else None,
    }
