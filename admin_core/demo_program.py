"""The demo's program: tiers, a running campaign, rewards, coupons, passes and a long history on
Anna's card, so every portal page has something real to show."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from .database import Database
from .models import Card, Customer, Merchant, Operation, OperationKind, Store
from .services import utcnow
from .services.earning import running_campaigns
from .services.offers import issue_pass, publish_coupon
from .services.pass_sales import KindDetails, define_kind, record_entry, sell_pass
from .services.program import catalogue
from .services.program_setup import (
    CampaignDetails,
    TierDetails,
    create_campaign,
    create_tier,
    list_tiers,
    update_tier,
)
from .services.reward_admin import RewardDetails, add_reward
from .services.staff import StaffScope

# name, threshold, benefits, purchase points multiplier in hundredths
TIERS = [
    ("Bronze", 0, "Points on every purchase.", 100),
    ("Silver", 500, "A quarter more points on every purchase.", 125),
    ("Gold", 1500, "Half as many points again, and a coffee on your birthday.", 150),
]
DOUBLE_POINTS = "Double points week"
DOUBLE_POINTS_STORE = "MAIN"
# name, points, description, image, stock (None: unlimited), per-customer limit (None: none)
REWARDS = [
    ("Espresso", 200, "Any espresso or americano at the bar.", "coffee.svg", None, None),
    ("Breakfast for one", 450, "Cappuccino and a fresh croissant.", "breakfast.svg", None, None),
    ("Market tote bag", 1000, "Our organic cotton shopping bag.", "bag.svg", None, 2),
    ("Gift box", 2500, "Coffee beans, biscuits and a mug, wrapped.", "gift.svg", 20, None),
]
POINTS_VALIDITY_MONTHS = 12
HOME_STORE = "MAIN"


def ensure_program(db: Database, merchant_id: int) -> None:
    """Once: tiers, a campaign from a month ago for two months, rewards some demo cards can afford."""
    with db.read() as session:
        if catalogue(session, merchant_id, utcnow()):
            return
    with db.write() as session:
        session.get_one(Merchant, merchant_id).points_validity_months = POINTS_VALIDITY_MONTHS
    scope = StaffScope.merchant(merchant_id)
    for name, threshold, benefits, multiplier in TIERS:
        create_tier(db, scope, TierDetails(name, threshold, benefits, multiplier))
    now = utcnow()
    create_campaign(
        db, scope, CampaignDetails("Autumn points", now - timedelta(days=30), now + timedelta(days=60))
    )
    with db.write() as session:
        for name, points, description, image, stock, limit in REWARDS:
            details = RewardDetails(name, points, description, stock=stock, per_customer_limit=limit)
            add_reward(session, scope, details).image_url = f"/static/rewards/{image}"
    _publish_coupons(db, merchant_id)


def ensure_double_points(db: Database, merchant_id: int) -> None:
    """A double-points week running at the Via Roma shop, whenever the demo is loaded, and the tier
    ladder's benefits and multipliers on a demo loaded before tiers had them."""
    scope, now = StaffScope.merchant(merchant_id), utcnow()
    with db.read() as session:
        tiers = {tier.name: tier.id for tier in list_tiers(session, scope) if tier.multiplier_percent == 100}
        running = any(
            campaign.name == DOUBLE_POINTS for campaign in running_campaigns(session, merchant_id, now)
        )
    for name, threshold, benefits, multiplier in TIERS:
        if name in tiers and multiplier != 100:
            update_tier(db, scope, tiers[name], TierDetails(name, threshold, benefits, multiplier))
    if not running:
        week = CampaignDetails(
            DOUBLE_POINTS,
            now - timedelta(days=2),
            now + timedelta(days=5),
            multiplier_percent=200,
            stores=(DOUBLE_POINTS_STORE,),
        )
        create_campaign(db, scope, week)


def _publish_coupons(db: Database, merchant_id: int) -> None:
    now = utcnow()
    month = now + timedelta(days=30)
    publish_coupon(
        db,
        merchant_id,
        title="Two coffees for one",
        description="Bring a friend: the second coffee is on us, every afternoon.",
        code="COFFEE2",
        valid_until=month,
    )
    publish_coupon(
        db,
        merchant_id,
        title="10% off fresh bread",
        description="At the Via Roma shop, before 10 am.",
        code="BREAD10",
        store_code="MAIN",
        valid_until=month,
    )
    publish_coupon(
        db,
        merchant_id,
        title="Free newspaper with a coffee",
        description="At the station kiosk.",
        store_code="STATION",
        valid_until=month,
    )


def ensure_regular(db: Database, merchant_id: int, number: str) -> None:
    """A regular's card: a home store, passes, and a year of history that nets to zero points, so
    the balances stay those of the demo's operations."""
    with db.read() as session:
        card = session.scalar(select(Card).where(Card.merchant_id == merchant_id, Card.number == number))
        assert card is not None
        if card.customer.store_id is not None:
            return
        home = session.scalar(
            select(Store.id).where(Store.merchant_id == merchant_id, Store.code == HOME_STORE)
        )
    now = utcnow()
    with db.write() as session:
        session.get_one(Customer, card.customer_id).store_id = home
        year_ago = now - timedelta(days=500)  # before the tier period: tiers are unchanged
        history: list[tuple[OperationKind, int, str | None]] = [
            (OperationKind.EARN_POINTS, 60, None) for _ in range(12)
        ]
        history += [
            (OperationKind.ADJUSTMENT, 40, "Welcome bonus"),
            (OperationKind.EXPIRY, -760, None),
            (OperationKind.REWARD, -200, "Espresso"),
            (OperationKind.REWARD_REFUND, 200, "Espresso"),
        ]
        for index, (kind, points, description) in enumerate(history):
            session.add(
                Operation(
                    card_id=card.id,
                    store_id=home if kind is OperationKind.EARN_POINTS else None,
                    kind=kind,
                    points=points,
                    description=description,
                    created_at=year_ago + timedelta(days=4 * index, hours=index % 9),
                )
            )
    # The passes on sale at the till, and two of them sold to the card at MAIN.
    scope = StaffScope.merchant(merchant_id)
    with db.write() as session:
        swims = define_kind(session, scope, KindDetails("10 swims", 10, 90, 4500))
        club = define_kind(session, scope, KindDetails("Monthly coffee club", None, 30, 2500))
    held = sell_pass(db, scope, number, swims.id, "MAIN", "demo-sale-swims").body["pass"]
    for entry in range(3):
        record_entry(db, scope, held, "MAIN", f"demo-entry-{entry}")
    sell_pass(db, scope, number, club.id, "MAIN", "demo-sale-club")
    issue_pass(
        db,
        merchant_id,
        number,
        name="Summer pass",
        entries=5,
        valid_from=now - timedelta(days=60),
        valid_until=now - timedelta(days=3),
    )
