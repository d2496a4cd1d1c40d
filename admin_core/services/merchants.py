"""Merchants, their stores and their API keys."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..database import Database
from ..errors import Conflict, Invalid, NotFound
from ..models import ApiKey, Merchant, Store
from . import add_unique, utcnow

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
STORE_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
KEY_PREFIX = "lpk_"


def create_merchant(
    db: Database,
    slug: str,
    name: str,
    *,
    portal_enabled: bool = False,
    currency: str = "EUR",
    default_locale: str = "en",
    timezone: str = "UTC",
) -> Merchant:
    if not SLUG.match(slug):
        raise Invalid("invalid_slug", "A slug is 1-64 lower-case letters, digits and dashes.")
    if not name.strip():
        raise Invalid("invalid_name", "A merchant needs a name.")
    merchant = Merchant(
        slug=slug,
        name=name.strip(),
        portal_enabled=portal_enabled,
        currency=currency.upper(),
        default_locale=default_locale,
        timezone=timezone,
        created_at=utcnow(),
    )
    return add_unique(db, merchant, Conflict("merchant_exists", f"A merchant '{slug}' exists already."))


def find_merchant(session: Session, slug: str) -> Merchant | None:
    return session.scalar(select(Merchant).where(Merchant.slug == slug))


def get_merchant(session: Session, slug: str) -> Merchant:
    merchant = find_merchant(session, slug)
    if merchant is None:
        raise NotFound("merchant_not_found", "No such merchant.")
    return merchant


def get_merchant_by_id(session: Session, merchant_id: int, *, for_update: bool = False) -> Merchant:
    query = select(Merchant).where(Merchant.id == merchant_id)
    merchant = session.scalar(query.with_for_update() if for_update else query)
    if merchant is None:
        raise NotFound("merchant_not_found", "No such merchant.")
    return merchant


def create_store(db: Database, merchant_id: int, code: str, name: str) -> Store:
    if not STORE_CODE.match(code):
        raise Invalid("invalid_store_code", "A store code is 1-32 letters, digits, - or _.")
    store = Store(merchant_id=merchant_id, code=code, name=name.strip())
    return add_unique(db, store, Conflict("store_exists", f"A store '{code}' exists already."))


def find_store(session: Session, merchant_id: int, code: str) -> Store | None:
    return session.scalar(select(Store).where(Store.merchant_id == merchant_id, Store.code == code))


def require_active(store: Store) -> Store:
    """Where something is recorded at a store: a switched-off one refuses it (its history stays)."""
    if not store.active:
        raise Conflict("store_inactive", f"The store '{store.code}' is switched off: it records nothing.")
    return store


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(
    db: Database, merchant_id: int | None, now: datetime | None = None, key: str | None = None
) -> str:
    """Store a key (a fresh random one unless given) and return it; only its hash is kept, so this
    is the one time it is seen."""
    key = key or KEY_PREFIX + secrets.token_urlsafe(32)
    with db.write() as session:
        session.add(
            ApiKey(
                merchant_id=merchant_id,
                prefix=key[: len(KEY_PREFIX) + 6],
                key_hash=hash_key(key),
                created_at=now or utcnow(),
            )
        )
    return key


def find_api_key(session: Session, key: str) -> ApiKey | None:
    return session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(key), ApiKey.revoked_at.is_(None)))
