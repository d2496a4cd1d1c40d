"""The demo merchant: enough real data for every page, loaded idempotently."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Any

from passlib.context import CryptContext

from .context import Core
from .database import Database
from .demo_groups import ensure_regulars
from .demo_program import ensure_double_points, ensure_program, ensure_regular
from .demo_staff import ensure_staff
from .demo_stores import ensure_store_details
from .demo_wifi import ensure_hotspots
from .models import OperationKind
from .services import utcnow
from .services.cards import enroll_customer, find_card
from .services.ledger import OperationRequest, record_operation
from .services.merchants import (
    create_api_key,
    create_merchant,
    create_store,
    find_api_key,
    find_merchant,
    find_store,
)
from .services.portal_auth import set_password

SLUG = "demo"
PASSWORD = "demo-password"
STORES = [("MAIN", "Via Roma 1 — main shop"), ("STATION", "Central Station kiosk")]
# number, first, last, e-mail, locale, activated, operations (kind, amount, store, discount), months ago
CARDS: list[tuple[str, str, str, str, str | None, bool, list[tuple[str, int, str, int]], float]] = [
    (
        "7000100001",
        "Anna",
        "Rossi",
        "anna@example.com",
        None,
        True,
        [
            ("earn_points", 400, "MAIN", 250),
            ("earn_points", 650, "STATION", 0),
            ("topup_credit", 2000, "MAIN", 0),
            ("spend_credit", 450, "STATION", 0),
            ("earn_points", 200, "MAIN", 580),
        ],
        1,
    ),
    (
        "7000100002",
        "Marco",
        "Bianchi",
        "marco@example.com",
        None,
        False,
        [("earn_points", 120, "MAIN", 0)],
        2,
    ),
    (
        "7000100003",
        "Ingrid",
        "Hansen",
        "ingrid@example.com",
        "nb",
        True,
        [
            ("earn_points", 90, "STATION", 0),
            ("topup_credit", 1000, "STATION", 0),
        ],
        11.6,  # so her points expire within a month
    ),
]


def demo_api_key(secret: str) -> str:
    """Stable across runs (derived from the secret), so the demo can print it again."""
    return "lpk_demo_" + hmac.new(secret.encode(), b"demo-api-key", hashlib.sha256).hexdigest()[:32]


def _ensure_key(db: Database, merchant_id: int, key: str) -> None:
    with db.read() as session:
        exists = find_api_key(session, key) is not None
    if not exists:
        create_api_key(db, merchant_id, key=key)


def _ensure_card(db: Database, hasher: CryptContext, merchant_id: int, row: tuple[Any, ...]) -> None:
    number, first, last, email, locale, activated, operations, months_ago = row
    with db.read() as session:
        if find_card(session, merchant_id, number) is not None:
            return
    enroll_customer(
        db,
        merchant_id,
        number,
        first_name=first,
        last_name=last,
        email=email,
        locale=locale,
    )
    start = utcnow() - timedelta(days=30 * months_ago)
    for index, (kind, amount, store, discount) in enumerate(operations):
        with db.write() as session:
            record_operation(
                session,
                merchant_id,
                number,
                OperationRequest(OperationKind(kind), amount, store, discount),
                now=start + timedelta(days=3 * index, hours=index),
            )
    if activated:
        set_password(db, hasher, merchant_id, number, PASSWORD)


def load_demo(core: Core, secret: str) -> dict[str, Any]:
    db = core.db
    with db.read() as session:
        merchant = find_merchant(session, SLUG)
    if merchant is None:
        merchant = create_merchant(
            db,
            SLUG,
            "Demo Café & Market",
            portal_enabled=True,
            currency="EUR",
            timezone="Europe/Rome",
        )
    for code, name in STORES:
        with db.read() as session:
            exists = find_store(session, merchant.id, code) is not None
        if not exists:
            create_store(db, merchant.id, code, name)
    ensure_store_details(db, merchant.id)
    ensure_program(db, merchant.id)
    ensure_double_points(db, merchant.id)
    for row in CARDS:
        _ensure_card(db, core.passwords, merchant.id, row)
    ensure_regular(db, merchant.id, CARDS[0][0])
    ensure_regulars(db, merchant.id, CARDS[0][0])
    hotspots = ensure_hotspots(db, merchant.id)
    staff = ensure_staff(db, core.passwords, merchant.id)
    key = demo_api_key(secret)
    _ensure_key(db, merchant.id, key)
    db.analyze()
    return {
        "merchant": SLUG,
        "api_key": key,
        "cards": [
            {"number": number, "password": PASSWORD, "activated": True}
            if activated
            else {"number": number, "email": email, "activated": False}
            for number, _, _, email, _, activated, _, _ in CARDS
        ],
        "staff": staff,
        "stores": [{"code": code, "name": name} for code, name in STORES],
        "hotspots": hotspots,
    }
