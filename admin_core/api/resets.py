"""Forgotten passwords, for the portal site: links by e-mail, then a new password."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..context import current_core
from ..services import portal_auth
from .auth import authenticate, portal_merchant, require_site
from .schemas import CardSchema, Password, card_body

blp = Blueprint("resets", __name__, description="Forgotten passwords (site key only)")
blp.before_request(authenticate)
blp.before_request(require_site)


class ResetStartSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(1, 254))


class ResetLinkSchema(Schema):
    number = fields.String(required=True)
    first_name = fields.String(required=True)
    token = fields.String(
        allow_none=True, metadata={"description": "null: the card has no password yet; it activates"}
    )


class ResetTicketSchema(Schema):
    email = fields.String(allow_none=True)
    locale = fields.String(allow_none=True)
    cards = fields.List(fields.Nested(ResetLinkSchema), required=True)
    expires_at = fields.DateTime(allow_none=True)


class ResetCompleteSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(1, 200))
    password = Password


@blp.route("/resets", methods=["POST"])
@blp.arguments(ResetStartSchema)
@blp.response(202, ResetTicketSchema)
def start_reset(payload: dict[str, Any]) -> dict[str, Any]:
    """Links to e-mail for the cards of this address; `cards: []` when there are none (tell the
    customer nothing different)."""
    merchant = portal_merchant()
    core = current_core()
    ticket = portal_auth.start_reset(core.db, merchant.id, payload["email"], core.settings.reset_max_age)
    if ticket is None:
        return {"email": None, "locale": None, "cards": [], "expires_at": None}
    return {**vars(ticket), "cards": [vars(link) for link in ticket.cards]}


@blp.route("/resets/complete", methods=["POST"])
@blp.arguments(ResetCompleteSchema)
@blp.response(200, CardSchema)
def complete_reset(payload: dict[str, Any]) -> dict[str, Any]:
    merchant = portal_merchant()
    core = current_core()
    card = portal_auth.complete_reset(
        core.db, core.passwords, merchant.id, payload["token"], payload["password"]
    )
    return card_body(card, merchant)
