"""Grants a gateway fetches (openNDS FAS level 3): the site does not send the guest's browser to
the gateway; the gateway's authmon daemon polls the site for the devices to let online, and says
which it let online. The guest's visit is stored only then."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base, UTCDateTime
from .wifi import Hotspot


class WifiGateway(Base):
    """A gateway of a hotspot, known by the hash it polls with (openNDS' gatewayhash: the SHA-256
    of its URL-encoded gatewayname), learnt from a redirect that decrypted with the hotspot's
    faskey. Several gateways may share a hotspot: each fetches only its own guests' grants."""

    __tablename__ = "wifi_gateways"
    __table_args__ = (UniqueConstraint("hotspot_id", "gateway_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hotspot_id: Mapped[int] = mapped_column(ForeignKey("hotspots.id"))
    gateway_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    hotspot: Mapped[Hotspot] = relationship(lazy="joined", innerjoin=True)


class WifiGatewayGrant(Base):
    """A device waiting for its gateway: `rhid` names it to the gateway (sha256(hid + faskey)),
    with the session length, rates and quotas the hotspot gives. `visit` holds the sign-up (the
    splash form's fields) until the gateway acknowledges the grant; then the visit is stored, the
    sign-up erased, and `outcome` keeps what the "you are online" page may say. One per splash
    state (`nonce`). Erased by `core purge-records` once expired."""

    __tablename__ = "wifi_gateway_grants"
    __table_args__ = (
        UniqueConstraint("hotspot_id", "nonce"),
        Index("ix_wifi_gateway_grants_gateway_rhid", "gateway_id", "rhid"),
        Index("ix_wifi_gateway_grants_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hotspot_id: Mapped[int] = mapped_column(ForeignKey("hotspots.id"))
    gateway_id: Mapped[int] = mapped_column(ForeignKey("wifi_gateways.id"))
    nonce: Mapped[str] = mapped_column(String(64))
    rhid: Mapped[str] = mapped_column(String(64))
    session_minutes: Mapped[int] = mapped_column(Integer)
    up_kbps: Mapped[int | None] = mapped_column(Integer)
    down_kbps: Mapped[int | None] = mapped_column(Integer)
    quota_mb: Mapped[int | None] = mapped_column(Integer)
    visit: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    gateway: Mapped[WifiGateway] = relationship(lazy="joined", innerjoin=True)
