"""Grants a gateway fetches (openNDS FAS level 3). The splash's sign-up is checked and kept with
the device's grant; the gateway's authmon daemon polls for its pending grants, lets the devices
online, and acknowledges them: only then is the visit stored (`wifi.connect`, the same as every
other controller's sign-up), so a redirect that was replayed or edited without the faskey, for a
device the gateway does not have, stores nothing. A grant not acknowledged in time lapses."""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from loyalty_common.error_codes import Code

from ..database import Database
from ..errors import Conflict, Invalid
from ..models import Hotspot, WifiGateway, WifiGatewayGrant, WifiVisit
from . import utcnow, wifi

log = logging.getLogger(__name__)
LIFETIME = timedelta(minutes=10)  # a guest's device waits this long for its gateway at most


class GrantState(enum.Enum):
    WAITING = "waiting"  # the gateway has not acknowledged it yet
    ONLINE = "online"  # acknowledged: the device is online and its visit stored
    GONE = "gone"  # lapsed, cleared by the gateway's restart, or never held


@dataclass(frozen=True)
class PendingGrant:
    """What the gateway is told to let online: the device (`rhid`) and its limits."""

    rhid: str
    session_minutes: int
    up_kbps: int | None
    down_kbps: int | None
    quota_mb: int | None


@dataclass(frozen=True)
class Acknowledged:
    """A visit stored on its gateway's word; with a new card's address (as typed) when its
    confirmation link was stored, for the site to mail it."""

    rhid: str
    nonce: str
    email: str | None
    locale: str | None
    confirm_until: datetime | None


def hold(
    session: Session,
    hotspot: Hotspot,
    gateway_hash: str,
    rhid: str,
    nonce: str,
    fields: Mapping[str, Any],
    now: datetime | None = None,
) -> datetime:
    """In the caller's transaction: check the splash's sign-up (`fields`, as for a visit) as the
    visit would, and keep it with the device's grant until the time returned. Invalid as the visit
    would be, or idempotency_key_reused when this connection's visit exists already."""
    now = now or utcnow()
    if session.scalar(
        select(WifiVisit.id).where(WifiVisit.hotspot_id == hotspot.id, WifiVisit.nonce == nonce)
    ):
        raise Invalid(Code.IDEMPOTENCY_KEY_REUSED, "This connection's visit was made already.")
    arrival, guest, accepted = wifi.visit_request(fields, nonce, None)
    wifi.check_visit(session, hotspot, arrival, guest, accepted=accepted, now=now)
    expires_at = now + LIFETIME
    session.add(
        WifiGatewayGrant(
            hotspot_id=hotspot.id,
            gateway_id=_gateway(session, hotspot, gateway_hash, now).id,
            nonce=nonce,
            rhid=rhid,
            session_minutes=hotspot.session_minutes,
            up_kbps=hotspot.up_kbps,
            down_kbps=hotspot.down_kbps,
            quota_mb=hotspot.quota_mb,
            visit=dict(fields),
            created_at=now,
            expires_at=expires_at,
        )
    )
    session.flush()
    return expires_at


def _gateway(session: Session, hotspot: Hotspot, gateway_hash: str, now: datetime) -> WifiGateway:
    """The hotspot's gateway of this hash, known from now on (its polls are answered)."""
    query = select(WifiGateway).where(
        WifiGateway.hotspot_id == hotspot.id, WifiGateway.gateway_hash == gateway_hash
    )
    found = session.scalar(query)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            gateway = WifiGateway(hotspot_id=hotspot.id, gateway_hash=gateway_hash, created_at=now)
            session.add(gateway)
        return gateway
    except IntegrityError:  # its first two guests at once
        return session.scalars(query).one()


def find_gateway(session: Session, hotspot_id: int, gateway_hash: str) -> WifiGateway | None:
    return session.scalar(
        select(WifiGateway).where(
            WifiGateway.hotspot_id == hotspot_id, WifiGateway.gateway_hash == gateway_hash
        )
    )


def knows_gateways(session: Session, hotspot_id: int) -> bool:
    return (
        session.scalar(select(WifiGateway.id).where(WifiGateway.hotspot_id == hotspot_id).limit(1))
        is not None
    )


def pending(db: Database, gateway_id: int, limit: int, now: datetime | None = None) -> list[PendingGrant]:
    """The gateway's grants not acknowledged and not lapsed, newest first: a device that left
    before its gateway let it online is listed until it lapses, and must not hold up the others."""
    now = now or utcnow()
    with db.read() as session:
        rows = session.scalars(
            select(WifiGatewayGrant)
            .where(
                WifiGatewayGrant.gateway_id == gateway_id,
                WifiGatewayGrant.acknowledged_at.is_(None),
                WifiGatewayGrant.expires_at > now,
            )
            .order_by(WifiGatewayGrant.created_at.desc(), WifiGatewayGrant.id.desc())
            .limit(limit)
        )
        return [PendingGrant(r.rhid, r.session_minutes, r.up_kbps, r.down_kbps, r.quota_mb) for r in rows]


def acknowledge(
    db: Database,
    gateway_id: int,
    confirmations: Mapping[str, str],
    link_max_age: timedelta,
    now: datetime | None = None,
) -> list[Acknowledged]:
    """The gateway let these devices online (`confirmations`: each rhid and the secret of the link
    that would confirm a new card's address): their visits are stored, once each however many
    polls acknowledge them at once (the grants' rows are locked, and skipped once acknowledged).
    A sign-up that no longer passes (the address took a card meanwhile: that is no error) is
    logged and stored as nothing; the device is online all the same."""
    now = now or utcnow()
    done = []
    with db.write() as session:
        rows = session.scalars(
            select(WifiGatewayGrant)
            .where(
                WifiGatewayGrant.gateway_id == gateway_id,
                WifiGatewayGrant.rhid.in_(list(confirmations)),
                WifiGatewayGrant.acknowledged_at.is_(None),
            )
            .order_by(WifiGatewayGrant.id)
            .with_for_update(of=WifiGatewayGrant)
        ).all()
        for row in rows:
            fields = row.visit or {}
            wants_link = bool(fields.get("email")) and not fields.get("returning")
            arrival, guest, accepted = wifi.visit_request(
                fields, row.nonce, confirmations[row.rhid] if wants_link else None
            )
            try:
                with session.begin_nested():
                    visit = wifi.connect(
                        db,
                        session,
                        row.gateway.hotspot,
                        arrival,
                        guest,
                        accepted=accepted,
                        link_max_age=link_max_age,
                        now=now,
                    )
            except (Invalid, Conflict) as refusal:
                log.warning(
                    "A grant acknowledged at hotspot %s stored no visit: %s", row.hotspot_id, refusal.code
                )
                row.outcome = {"outcome": None, "card": None, "emailed": False}
            else:
                emailed = visit.confirm_until is not None
                row.outcome = {"outcome": visit.outcome.value, "card": visit.card_number, "emailed": emailed}
                if emailed:
                    done.append(
                        Acknowledged(
                            row.rhid, row.nonce, fields["email"], fields["locale"], visit.confirm_until
                        )
                    )
            row.visit = None  # what the guest typed lives on in their customer row only
            row.acknowledged_at = now
    return done


def clear(db: Database, gateway_id: int) -> int:
    """The gateway restarted: the grants it was sent before are stale. How many went."""
    with db.write() as session:
        result = session.execute(
            delete(WifiGatewayGrant).where(
                WifiGatewayGrant.gateway_id == gateway_id, WifiGatewayGrant.acknowledged_at.is_(None)
            )
        )
        return int(getattr(result, "rowcount", 0))


def state_of(
    db: Database, hotspot_id: int, nonce: str, now: datetime | None = None
) -> tuple[GrantState, dict[str, Any] | None]:
    """Where the grant of one splash state stands, and once online what its visit may say."""
    now = now or utcnow()
    with db.read() as session:
        row = session.scalar(
            select(WifiGatewayGrant).where(
                WifiGatewayGrant.hotspot_id == hotspot_id, WifiGatewayGrant.nonce == nonce
            )
        )
        if row is None:
            return GrantState.GONE, None
        if row.acknowledged_at is not None:
            return GrantState.ONLINE, row.outcome
        return (GrantState.WAITING if row.expires_at > now else GrantState.GONE), None
