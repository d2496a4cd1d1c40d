"""A merchant's hotspots: one per venue controller, with its settings and the splash's options."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from loyalty_common.controller_addresses import Networks

from ..database import Database
from ..errors import Conflict, Invalid, InvalidAtFields, NotFound
from ..models import ContactRequired, Hotspot, HotspotKind
from . import add_unique, cursors, utcnow
from .hotspot_settings import check_called_addresses, checked_settings, merged
from .merchants import find_store

PUBLIC_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
MAX_MINUTES = 30 * 24 * 60
MAX_RATE = 10_000_000  # kbit/s
MAX_QUOTA = 10_000_000  # MB
MAX_RETENTION_DAYS = 10 * 365
MAX_TEXT = 20_000
CLEARABLE = frozenset({"up_kbps", "down_kbps", "quota_mb", "landing_url"})  # None: no limit, no page
PAGE_SIZE = 50


@dataclass(frozen=True)
class HotspotOptions:
    """What the splash and the grant do, whatever the controller. None: leave as it is (on an
    update) or take the default (on creation)."""

    session_minutes: int | None = None
    up_kbps: int | None = None
    down_kbps: int | None = None
    quota_mb: int | None = None
    landing_url: str | None = None
    contact: ContactRequired | None = None
    terms_version: str | None = None
    privacy_version: str | None = None
    terms_text: str | None = None
    privacy_text: str | None = None
    guest_retention_days: int | None = None
    enabled: bool | None = None


def _in_range(
    problems: dict[str, tuple[str, str]],
    name: str,
    value: int | None,
    limits: tuple[int, int],
    code: str,
    what: str,
) -> None:
    low, high = limits
    if value is not None and not low <= value <= high:
        problems[name] = (code, f"{what} is {low}-{high}.")


def _checked(options: HotspotOptions) -> dict[str, Any]:
    """The options that were given, or InvalidAtFields with each broken rule at its option (the
    error's code: the first one's)."""
    problems: dict[str, tuple[str, str]] = {}
    _in_range(
        problems,
        "session_minutes",
        options.session_minutes,
        (1, MAX_MINUTES),
        "invalid_session_minutes",
        "A session's length in minutes",
    )
    _in_range(problems, "up_kbps", options.up_kbps, (1, MAX_RATE), "invalid_rate", "An upload rate in kbit/s")
    _in_range(
        problems, "down_kbps", options.down_kbps, (1, MAX_RATE), "invalid_rate", "A download rate in kbit/s"
    )
    _in_range(problems, "quota_mb", options.quota_mb, (1, MAX_QUOTA), "invalid_quota", "A data limit in MB")
    _in_range(
        problems,
        "guest_retention_days",
        options.guest_retention_days,
        (1, MAX_RETENTION_DAYS),
        "invalid_retention",
        "Days kept",
    )
    if options.landing_url:
        parts = urlsplit(options.landing_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(options.landing_url) > 500:
            problems["landing_url"] = (
                "invalid_landing_url",
                "The landing page is an http(s) address of up to 500 characters.",
            )
    for name in ("terms_version", "privacy_version"):
        version = getattr(options, name)
        if version is not None and not 1 <= len(version.strip()) <= 32:
            problems[name] = ("invalid_version", "A wording version is 1-32 characters.")
    for name in ("terms_text", "privacy_text"):
        text = getattr(options, name)
        if text is not None and len(text) > MAX_TEXT:
            problems[name] = ("invalid_text", f"A text is at most {MAX_TEXT} characters.")
    if problems:
        code, message = next(iter(problems.values()))
        raise InvalidAtFields(code, problems, message)
    given = {field.name: getattr(options, field.name) for field in fields(options)}
    return {name: value for name, value in given.items() if value is not None}


def new_public_id() -> str:
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(10))


def create_hotspot(
    db: Database,
    merchant_id: int,
    store_code: str,
    kind: HotspotKind,
    settings: dict[str, Any],
    options: HotspotOptions = HotspotOptions(),
    public_id: str | None = None,
    *,
    networks: Networks = (),
) -> Hotspot:
    """`networks`: the non-public ones its controller may be in (the operator's allowance)."""
    public_id = public_id or new_public_id()
    if not PUBLIC_ID.match(public_id):
        raise Invalid("invalid_hotspot_id", "A hotspot id is 1-64 lower-case letters, digits and dashes.")
    values = _checked(options)
    check_called_addresses(settings, networks)
    clean = checked_settings(kind, settings)
    with db.read() as session:
        store = find_store(session, merchant_id, store_code)
    if store is None:
        raise Invalid("unknown_store", "No such store.")
    hotspot = Hotspot(
        public_id=public_id,
        merchant_id=merchant_id,
        store_id=store.id,
        kind=kind,
        settings=clean,
        created_at=utcnow(),
        **values,
    )
    add_unique(db, hotspot, Conflict("hotspot_exists", f"A hotspot '{public_id}' exists already."))
    with db.read() as session:
        return get_hotspot(session, merchant_id, public_id)


def update_hotspot(
    db: Database,
    merchant_id: int,
    public_id: str,
    *,
    store_code: str | None = None,
    kind: HotspotKind | None = None,
    settings: dict[str, Any] | None = None,
    options: HotspotOptions = HotspotOptions(),
    cleared: frozenset[str] = frozenset(),
    networks: Networks = (),
) -> Hotspot:
    """Change what is given; the options named in `cleared` (of CLEARABLE) become none. Settings
    are merged over the current ones (a secret sent back masked is kept), unless the kind
    changes: then they are the new controller's, whole. The addresses given are checked before
    the transaction (resolving a name takes its time)."""
    values = _checked(options)
    check_called_addresses(settings or {}, networks)
    with db.write() as session:
        hotspot = get_hotspot(session, merchant_id, public_id)
        if store_code is not None:
            store = find_store(session, merchant_id, store_code)
            if store is None:
                raise Invalid("unknown_store", "No such store.")
            hotspot.store_id = store.id
        if kind is not None and kind is not hotspot.kind:
            hotspot.kind, hotspot.settings = kind, checked_settings(kind, settings or {})
        elif settings is not None:
            hotspot.settings = checked_settings(hotspot.kind, merged(hotspot.settings, settings))
        for name, value in values.items():
            setattr(hotspot, name, value)
        for name in cleared & CLEARABLE:
            setattr(hotspot, name, None)
    with db.read() as session:
        return get_hotspot(session, merchant_id, public_id)


def list_hotspots(session: Session, merchant_id: int) -> list[Hotspot]:
    return list(
        session.scalars(select(Hotspot).where(Hotspot.merchant_id == merchant_id).order_by(Hotspot.id))
    )


def list_hotspots_page(
    session: Session, merchant_id: int, cursor: str | None = None, limit: int = PAGE_SIZE
) -> tuple[list[Hotspot], str | None]:
    """The hotspots, oldest first, and the cursor of the next page (None: this is the last)."""
    query = select(Hotspot).where(Hotspot.merchant_id == merchant_id)
    if cursor is not None:
        query = query.where(Hotspot.id > cursors.decode_id("h", cursor))
    rows = list(session.scalars(query.order_by(Hotspot.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, cursors.encode("h", rows[-1].id) if more else None


def find_hotspot(session: Session, public_id: str) -> Hotspot | None:
    """Of any merchant: the splash knows only the hotspot's id."""
    return session.scalar(select(Hotspot).where(Hotspot.public_id == public_id))


def get_hotspot(session: Session, merchant_id: int, public_id: str) -> Hotspot:
    hotspot = find_hotspot(session, public_id)
    if hotspot is None or hotspot.merchant_id != merchant_id:
        raise NotFound("hotspot_not_found", "No such hotspot.")
    return hotspot
