"""A logged-in customer's card as the portal site shows it (site key only)."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import Session

from loyalty_common.rules import normalize_card_number

from ..context import current_core
from ..services import utcnow
from ..services.cards import get_card
from ..services.program import active_campaign, card_catalogue, dashboard, offers
from ..services.sessions import end_session
from ..services.stamping import stamp_cards_of
from ..services.vouchers import cancel_voucher, open_vouchers, redeem_reward
from .auth import authenticate, named_card, portal_merchant, require_site
from .idempotent import IDEMPOTENCY_DOC, run_once
from .program_schemas import (
    CardCatalogueSchema,
    DashboardSchema,
    VoucherListSchema,
    VoucherResultSchema,
    campaign_body,
    expiring_body,
    offer_body,
    tier_body,
    voucher_body,
    voucher_result,
)
from .schemas import card_body

blp = Blueprint("portal_cards", __name__, description="A customer's card in the portal (site key only)")
blp.before_request(authenticate)
blp.before_request(require_site)


@blp.route("/<number>/dashboard", methods=["GET"])
@blp.response(200, DashboardSchema)
def read_dashboard(number: str) -> dict[str, Any]:
    """Balances, tier, the next reward and what is waiting, in one call."""
    merchant = portal_merchant()
    with current_core().db.read() as session:
        summary = dashboard(session, merchant, named_card(session, merchant, number), utcnow())
        progress = stamp_cards_of(session, merchant.id, summary.card.id)
    return {
        "card": card_body(summary.card, merchant, summary.tier.current if summary.tier else None),
        "tier": tier_body(summary.tier),
        "campaign": campaign_body(summary.campaign),
        "next_reward": offer_body(summary.next_reward) if summary.next_reward else None,
        "reward_waiting": summary.reward_waiting,
        "expiring": expiring_body(summary.expiring),
        "open_vouchers": summary.open_vouchers,
        "stamp_cards": [
            {
                "id": stamp_card.id,
                "name": stamp_card.name,
                "stamps": min(stamps, stamp_card.stamps_needed),  # a lowered number fills at the next stamp
                "stamps_needed": stamp_card.stamps_needed,
                "reward": stamp_card.reward.name,
            }
            for stamp_card, stamps in progress
        ],
    }


@blp.route("/<number>/rewards", methods=["GET"])
@blp.response(200, CardCatalogueSchema)
def read_rewards(number: str) -> dict[str, Any]:
    """The whole catalogue, each reward marked redeemable when it can be taken now."""
    merchant = portal_merchant()
    with current_core().db.read() as session:
        card = get_card(session, merchant.id, number)
        now = utcnow()
        campaign = active_campaign(session, merchant.id, now)
        marked = offers(
            card_catalogue(session, merchant.id, card.id, now), card.points, campaign is not None, now
        )
        return {
            "campaign_on": campaign is not None,
            "campaign": campaign_body(campaign),
            "points": card.points,
            "rewards": [offer_body(offer) for offer in marked],
        }


@blp.route("/<number>/rewards/<int:reward_id>/redeem", methods=["POST"])
@blp.response(201, VoucherResultSchema)
@blp.doc(**IDEMPOTENCY_DOC)
def redeem(number: str, reward_id: int) -> Response:
    """Points → a voucher, once per Idempotency-Key (a double click gets the same voucher)."""
    merchant = portal_merchant()

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        now = utcnow()
        voucher, card = redeem_reward(session, merchant, number, reward_id, now)
        return 201, VoucherResultSchema().dump(voucher_result(voucher, card, merchant, now))

    return run_once(
        merchant.id, f"portal/cards/{normalize_card_number(number)}/rewards/{reward_id}/redeem", {}, work
    )


@blp.route("/<number>/vouchers", methods=["GET"])
@blp.response(200, VoucherListSchema)
def read_vouchers(number: str) -> dict[str, Any]:
    """Vouchers waiting to be collected, newest first."""
    merchant, now = portal_merchant(), utcnow()
    with current_core().db.read() as session:
        card = get_card(session, merchant.id, number)
        return {"vouchers": [voucher_body(voucher, now) for voucher in open_vouchers(session, card.id, now)]}


@blp.route("/<number>/vouchers/<code>/cancel", methods=["POST"])
@blp.response(200, VoucherResultSchema)
def cancel(number: str, code: str) -> dict[str, Any]:
    """The customer changed their mind: the points come back."""
    merchant, now = portal_merchant(), utcnow()
    with current_core().db.write() as session:
        voucher, card = cancel_voucher(session, merchant.id, code, number=number, now=now)
        return voucher_result(voucher, card, merchant, now)


class SessionEndSchema(Schema):
    session_id = fields.String(required=True, validate=validate.Length(min=16, max=128))
    expires_at = fields.AwareDateTime(required=True)


@blp.route("/<number>/sessions/end", methods=["POST"])
@blp.arguments(SessionEndSchema)
@blp.response(204)
def end_card_session(payload: dict[str, Any], number: str) -> None:
    """The customer logged out: the session `session_id` (with `X-Card-Version` and
    `X-Card-Session`, as every call of it) is refused from now on, wherever its cookie was copied;
    the card's other sessions go on. `expires_at`: when the site would end it by its age."""
    portal_merchant()
    end_session(current_core().db, payload["session_id"], payload["expires_at"])
