"""The merchant's stores and store groups (merchant key: the admin's scope). The staff UI calls
the same services."""

from __future__ import annotations

from dataclasses import fields as fields_of
from dataclasses import replace
from typing import Any

from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import Session

from ..context import current_core
from ..models import Store, StoreGroup
from ..services import store_groups, stores
from ..services.store_hours import DAYS, MAX_PERIODS
from .auth import authenticate
from .idempotent import IDEMPOTENCY_DOC, run_once
from .reward_admin import PageQuerySchema
from .team import merchant_scope

blp = Blueprint("stores", __name__, description="Stores and store groups (merchant key)")
blp.before_request(authenticate)


class PeriodSchema(Schema):
    open = fields.String(required=True, validate=validate.Length(max=10), metadata={"example": "09:00"})
    close = fields.String(
        required=True,
        validate=validate.Length(max=10),
        metadata={"example": "13:00", "description": "After `open`; 24:00 is midnight"},
    )


OpeningHoursSchema = Schema.from_dict(
    {
        day: fields.List(
            fields.Nested(PeriodSchema),
            validate=validate.Length(max=MAX_PERIODS * 4),
            metadata={"description": "The periods open that day, in the merchant's time zone; none: closed"},
        )
        for day in DAYS
    },
    name="OpeningHours",
)


class StoreChangesSchema(Schema):
    """On PATCH only what is sent changes. Errors: 422 invalid_store with a message per field
    (`opening_hours.<day>` for a day's hours)."""

    name = fields.String(validate=validate.Length(max=1000))
    address = fields.String(validate=validate.Length(max=5000))
    opening_hours = fields.Nested(
        OpeningHoursSchema,
        allow_none=True,
        metadata={"description": "A day left out: closed; None: not given"},
    )
    latitude = fields.Float(allow_none=True, metadata={"description": "Degrees, -90 to 90 (with longitude)"})
    longitude = fields.Float(
        allow_none=True, metadata={"description": "Degrees, -180 to 180 (with latitude)"}
    )
    active = fields.Boolean(metadata={"description": "False: switched off, records nothing (store_inactive)"})


class StoreInSchema(StoreChangesSchema):
    code = fields.String(
        required=True,
        validate=validate.Length(max=100),
        metadata={"description": "1-32 letters, digits, - or _; never changes"},
    )
    name = fields.String(required=True, validate=validate.Length(max=1000))


class ManagedStoreSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    address = fields.String(required=True)
    opening_hours = fields.Nested(OpeningHoursSchema, allow_none=True)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    active = fields.Boolean(required=True)


class StorePageSchema(Schema):
    stores = fields.List(fields.Nested(ManagedStoreSchema), required=True)
    next_cursor = fields.String(
        allow_none=True, metadata={"description": "Pass as `cursor` for the next page; None: the last"}
    )


class GroupChangesSchema(Schema):
    """On PATCH only what is sent changes; `stores` replaces the members."""

    name = fields.String(validate=validate.Length(max=1000))
    stores = fields.List(
        fields.String(validate=validate.Length(1, 32)),
        validate=validate.Length(max=store_groups.MAX_MEMBERS),
        metadata={"description": "Store codes"},
    )


class GroupInSchema(GroupChangesSchema):
    name = fields.String(required=True, validate=validate.Length(max=1000))


class GroupSchema(Schema):
    id = fields.Integer(required=True)
    choice = fields.Function(
        store_groups.group_choice,
        metadata={"description": "What to send where a store code is chosen (e.g. a reward's stores)"},
    )
    name = fields.String(required=True)
    stores = fields.Function(lambda group: [store.code for store in group.stores])


class GroupPageSchema(Schema):
    groups = fields.List(fields.Nested(GroupSchema), required=True)
    next_cursor = fields.String(allow_none=True)


STORE_DETAILS = {field.name for field in fields_of(stores.StoreDetails)}


def _store(code: str) -> Store:
    with current_core().db.read() as session:
        return stores.get_store(session, merchant_scope(), code)


def _group(group_id: int) -> StoreGroup:
    with current_core().db.read() as session:
        return store_groups.get_group(session, merchant_scope(), group_id)


@blp.route("/stores", methods=["GET"])
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, StorePageSchema)
def list_stores(query: dict[str, Any]) -> stores.StorePage:
    """Every store, switched off ones too, by code, a page at a time."""
    with current_core().db.read() as session:
        return stores.list_stores(session, merchant_scope(), query["cursor"], query["limit"])


@blp.route("/stores", methods=["POST"])
@blp.arguments(StoreInSchema)
@blp.response(201, ManagedStoreSchema)
@blp.doc(**IDEMPOTENCY_DOC)
def create_store(payload: dict[str, Any]) -> Response:
    """Once per Idempotency-Key. Errors: 422 invalid_store with a message per field; 409
    store_exists."""
    reach = merchant_scope()
    details = stores.StoreDetails(**{key: payload[key] for key in STORE_DETAILS if key in payload})

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        store = stores.add_store(session, reach, payload["code"], details)
        store.active = payload.get("active", True)
        return 201, ManagedStoreSchema().dump(store)

    return run_once(reach.merchant_id, "stores", request.get_json(), work)


@blp.route("/stores/<code>", methods=["GET"])
@blp.response(200, ManagedStoreSchema)
def read_store(code: str) -> Store:
    return _store(code)


@blp.route("/stores/<code>", methods=["PATCH"])
@blp.arguments(StoreChangesSchema)
@blp.response(200, ManagedStoreSchema)
def change_store(payload: dict[str, Any], code: str) -> Store:
    """Errors: 422 invalid_store with a message per field; 404 store_not_found."""
    db, reach = current_core().db, merchant_scope()
    changes = {key: payload[key] for key in STORE_DETAILS if key in payload}
    if changes:
        stores.update_store(db, reach, code, replace(stores.StoreDetails.of(_store(code)), **changes))
    if "active" in payload:
        stores.set_store_active(db, reach, code, payload["active"])
    return _store(code)


@blp.route("/store-groups", methods=["GET"])
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, GroupPageSchema)
def list_groups(query: dict[str, Any]) -> store_groups.GroupPage:
    with current_core().db.read() as session:
        return store_groups.list_groups(session, merchant_scope(), query["cursor"], query["limit"])


@blp.route("/store-groups", methods=["POST"])
@blp.arguments(GroupInSchema)
@blp.response(201, GroupSchema)
@blp.doc(**IDEMPOTENCY_DOC)
def create_group(payload: dict[str, Any]) -> Response:
    """Once per Idempotency-Key. Errors: 422 invalid_store_group with a message per field; 409
    store_group_exists."""
    reach = merchant_scope()
    details = store_groups.GroupDetails(payload["name"], tuple(payload.get("stores", ())))

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        return 201, GroupSchema().dump(store_groups.add_group(session, reach, details))

    return run_once(reach.merchant_id, "store-groups", request.get_json(), work)


@blp.route("/store-groups/<int:group_id>", methods=["GET"])
@blp.response(200, GroupSchema)
def read_group(group_id: int) -> StoreGroup:
    return _group(group_id)


@blp.route("/store-groups/<int:group_id>", methods=["PATCH"])
@blp.arguments(GroupChangesSchema)
@blp.response(200, GroupSchema)
def change_group(payload: dict[str, Any], group_id: int) -> StoreGroup:
    """Errors: 422 invalid_store_group; 404 store_group_not_found; 409 store_group_exists."""
    current = store_groups.GroupDetails.of(_group(group_id))
    changes: dict[str, Any] = {
        key: tuple(value) if key == "stores" else value for key, value in payload.items()
    }
    store_groups.update_group(current_core().db, merchant_scope(), group_id, replace(current, **changes))
    return _group(group_id)


@blp.route("/store-groups/<int:group_id>", methods=["DELETE"])
@blp.response(204)
def delete_group(group_id: int) -> None:
    """The group goes; its stores, and what was chosen through it, stay."""
    store_groups.delete_group(current_core().db, merchant_scope(), group_id)
