"""The reward catalogue and vouchers, as a till or an integration sees them (merchant key)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from ..context import current_core
from ..services import utcnow
from ..services.program import active_campaign, catalogue
from ..services.vouchers import cancel_voucher, collect_voucher, find_voucher
from .auth import authenticate, scope
from .program_schemas import (
    CatalogueSchema,
    CollectSchema,
    VoucherResultSchema,
    VoucherSchema,
    campaign_body,
    reward_body,
    voucher_body,
    voucher_result,
)

rewards_blp = Blueprint("rewards", __name__, description="The reward catalogue")
rewards_blp.before_request(authenticate)
vouchers_blp = Blueprint("vouchers", __name__, description="Vouchers shown at the till")
vouchers_blp.before_request(authenticate)


@rewards_blp.route("", methods=["GET"])
@rewards_blp.response(200, CatalogueSchema)
def read_catalogue() -> dict[str, Any]:
    """Every active reward, cheapest first, and whether a points campaign is on now."""
    merchant = scope().merchant
    now = utcnow()
    with current_core().db.read() as session:
        campaign = active_campaign(session, merchant.id, now)
        return {
            "campaign_on": campaign is not None,
            "campaign": campaign_body(campaign),
            "rewards": [reward_body(reward) for reward in catalogue(session, merchant.id, now)],
        }


@vouchers_blp.route("/<code>", methods=["GET"])
@vouchers_blp.response(200, VoucherSchema)
def read_voucher(code: str) -> dict[str, Any]:
    with current_core().db.read() as session:
        return voucher_body(find_voucher(session, scope().merchant.id, code), utcnow())


@vouchers_blp.route("/<code>/collect", methods=["POST"])
@vouchers_blp.arguments(CollectSchema)
@vouchers_blp.response(200, VoucherSchema)
def collect(payload: dict[str, Any], code: str) -> dict[str, Any]:
    """The reward is handed over at `store`; a second collect answers 410 `voucher_collected`."""
    now = utcnow()
    with current_core().db.write() as session:
        voucher = collect_voucher(session, scope().merchant.id, code, payload["store"], now)
        return voucher_body(voucher, now)


@vouchers_blp.route("/<code>/cancel", methods=["POST"])
@vouchers_blp.response(200, VoucherResultSchema)
def cancel(code: str) -> dict[str, Any]:
    """The voucher's points go back to the card."""
    merchant, now = scope().merchant, utcnow()
    with current_core().db.write() as session:
        voucher, card = cancel_voucher(session, merchant.id, code, now=now)
        return voucher_result(voucher, card, merchant, now)
