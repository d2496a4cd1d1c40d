"""The merchant's customer groups (merchant key: the admin's scope): a group, its members a page
at a time (the customers list filtered by the group), a manual group's members added and removed
by card number. The staff UI calls the same services."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import Session

from ..context import current_core
from ..models import CustomerGroup, GroupKind
from ..services import customer_groups
from ..services.customer_filters import CustomerFilters
from ..services.customer_search import DEFAULT_LIMIT, MAX_LIMIT, search_customers
from .auth import authenticate
from .customers import CustomerPageSchema, page_body
from .idempotent import IDEMPOTENCY_DOC, run_once
from .reward_admin import PageQuerySchema
from .team import merchant_scope

blp = Blueprint("customer_groups", __name__, description="Customer groups (merchant key)")
blp.before_request(authenticate)

SEARCH_DOC = (
    'A filter group\'s search of the customers list: {"q": text, "marketing": true/false/null, '
    '"source": "web"/"wifi"/"import"/null, "store": a store code or null}; null for a manual group'
)


class CustomerGroupChangesSchema(Schema):
    """On PATCH only what is sent changes; a group keeps its kind."""

    name = fields.String(validate=validate.Length(max=1000))
    search = fields.Dict(allow_none=True, metadata={"description": SEARCH_DOC})


class CustomerGroupInSchema(CustomerGroupChangesSchema):
    name = fields.String(required=True, validate=validate.Length(max=1000))
    kind = fields.Enum(
        GroupKind,
        by_value=True,
        load_default=GroupKind.MANUAL,
        metadata={"description": "manual: the customers added to it; filter: whoever its search finds"},
    )


class CustomerGroupSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.Enum(GroupKind, by_value=True, required=True)
    search = fields.Dict(allow_none=True, metadata={"description": SEARCH_DOC})
    created_at = fields.DateTime(required=True)


class CustomerGroupPageSchema(Schema):
    groups = fields.List(fields.Nested(CustomerGroupSchema), required=True)
    next_cursor = fields.String(allow_none=True)


class CustomerGroupMemberInSchema(Schema):
    card = fields.String(
        required=True, validate=validate.Length(1, 64), metadata={"description": "A card number"}
    )


class CustomerGroupMembersQuerySchema(Schema):
    cursor = fields.String(load_default=None, validate=validate.Length(max=100))
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(1, MAX_LIMIT))


def _group(group_id: int) -> CustomerGroup:
    with current_core().db.read() as session:
        return customer_groups.get_group(session, merchant_scope(), group_id)


@blp.route("/groups", methods=["GET"])
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, CustomerGroupPageSchema)
def list_groups(query: dict[str, Any]) -> customer_groups.GroupPage:
    """The groups, oldest first, a page at a time."""
    with current_core().db.read() as session:
        return customer_groups.list_groups(session, merchant_scope(), query["cursor"], query["limit"])


@blp.route("/groups", methods=["POST"])
@blp.arguments(CustomerGroupInSchema)
@blp.response(201, CustomerGroupSchema)
@blp.doc(**IDEMPOTENCY_DOC)
def create_group(payload: dict[str, Any]) -> Response:
    """Once per Idempotency-Key. Errors: 422 invalid_customer_group with a message per field
    (name, search); 409 customer_group_exists."""
    reach = merchant_scope()
    details = customer_groups.GroupDetails(payload["name"], payload["kind"], payload.get("search"))

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        return 201, CustomerGroupSchema().dump(customer_groups.add_group(session, reach, details))

    return run_once(reach.merchant_id, "groups", request.get_json(), work)


@blp.route("/groups/<int:group_id>", methods=["GET"])
@blp.response(200, CustomerGroupSchema)
def read_group(group_id: int) -> CustomerGroup:
    """Errors: 404 customer_group_not_found."""
    return _group(group_id)


@blp.route("/groups/<int:group_id>", methods=["PATCH"])
@blp.arguments(CustomerGroupChangesSchema)
@blp.response(200, CustomerGroupSchema)
def change_group(payload: dict[str, Any], group_id: int) -> CustomerGroup:
    """Errors: 422 invalid_customer_group; 404 customer_group_not_found; 409 customer_group_exists."""
    current = _group(group_id)
    details = customer_groups.GroupDetails(
        payload.get("name", current.name), current.kind, payload.get("search", current.search)
    )
    with current_core().db.write() as session:
        customer_groups.change_group(session, merchant_scope(), group_id, details)
    return _group(group_id)


@blp.route("/groups/<int:group_id>", methods=["DELETE"])
@blp.response(204)
def delete_group(group_id: int) -> None:
    """The group and its list of members go; the customers stay. Errors: 404; 409 group_in_use
    (a coupon or campaign is for it)."""
    with current_core().db.write() as session:
        customer_groups.remove_group(session, merchant_scope(), group_id)


@blp.route("/groups/<int:group_id>/members", methods=["GET"])
@blp.arguments(CustomerGroupMembersQuerySchema, location="query")
@blp.response(200, CustomerPageSchema)
def list_members(query: dict[str, Any], group_id: int) -> dict[str, Any]:
    """The group's customers, newest card first (a filter group's: whoever its search finds now)."""
    _group(group_id)
    with current_core().db.read() as session:
        page = search_customers(
            session, merchant_scope(), "", CustomerFilters(group=group_id), query["cursor"], query["limit"]
        )
    return page_body(page)


@blp.route("/groups/<int:group_id>/members", methods=["POST"])
@blp.arguments(CustomerGroupMemberInSchema)
@blp.response(200, CustomerGroupSchema)
@blp.doc(**IDEMPOTENCY_DOC)
def add_member(payload: dict[str, Any], group_id: int) -> Response:
    """The card's customer joins the manual group (in it already: nothing changes). Errors: 404
    card_not_found (another merchant's card too), customer_group_not_found; 422 group_not_manual."""
    reach = merchant_scope()

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        customer_groups.add_member(session, reach, group_id, payload["card"])
        return 200, CustomerGroupSchema().dump(customer_groups.get_group(session, reach, group_id))

    return run_once(reach.merchant_id, f"groups/{group_id}/members", request.get_json(), work)


@blp.route("/groups/<int:group_id>/members/<number>", methods=["DELETE"])
@blp.response(204)
def remove_member(group_id: int, number: str) -> None:
    """The card's customer leaves the manual group (not in it: nothing changes)."""
    with current_core().db.write() as session:
        customer_groups.remove_member(session, merchant_scope(), group_id, number)
