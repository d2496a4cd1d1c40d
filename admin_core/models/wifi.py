"""Wi-Fi registration: the hotspots of a merchant's venues and the guests' visits through them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base, UTCDateTime, translations_column
from .accounts import Merchant, Store, stored_enum


class HotspotKind(enum.Enum):
    OPENNDS = "opennds"
    MERAKI = "meraki"
    UNIFI = "unifi"
    MIKROTIK = "mikrotik"
    COOVA = "coova"


class ContactRequired(enum.Enum):
    """Which contact detail the venue's splash form requires."""

    EMAIL = "email"
    PHONE = "phone"
    EITHER = "either"  # one of the two


class Hotspot(Base):
    """One venue's hotspot controller. `public_id` is in the splash address the controller is
    configured with (/wifi/<public_id>): it never changes."""

    __tablename__ = "hotspots"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    kind: Mapped[HotspotKind] = mapped_column(stored_enum(HotspotKind))
    # The controller's addresses and secrets, as its kind's schema (services/hotspots.py) says.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    session_minutes: Mapped[int] = mapped_column(Integer, default=60)
    up_kbps: Mapped[int | None] = mapped_column(Integer)
    down_kbps: Mapped[int | None] = mapped_column(Integer)
    quota_mb: Mapped[int | None] = mapped_column(Integer)
    landing_url: Mapped[str | None] = mapped_column(String(500))
    contact: Mapped[ContactRequired] = mapped_column(
        stored_enum(ContactRequired), default=ContactRequired.EMAIL
    )
    terms_version: Mapped[str] = mapped_column(String(32), default="1")
    privacy_version: Mapped[str] = mapped_column(String(32), default="1")
    terms_text: Mapped[str] = mapped_column(Text, default="")
    privacy_text: Mapped[str] = mapped_column(Text, default="")
    translations: Mapped[dict[str, dict[str, str]]] = translations_column()  # terms_text, privacy_text
    # A guest known only from the Wi-Fi (never activated the portal, no purchases) is erased this
    # many days after their last visit.
    guest_retention_days: Mapped[int] = mapped_column(Integer, default=365)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    merchant: Mapped[Merchant] = relationship(lazy="joined", innerjoin=True)
    store: Mapped[Store] = relationship(lazy="joined", innerjoin=True)


class WifiVisit(Base):
    """A guest let online: a sign-up (`new_customer`) or a returning guest. One per splash state
    (`nonce`), so a state cannot let a device online twice."""

    __tablename__ = "wifi_visits"
    __table_args__ = (
        UniqueConstraint("hotspot_id", "nonce"),
        Index("ix_wifi_visits_merchant_mac", "merchant_id", "device_mac", "created_at"),
        Index("ix_wifi_visits_store_created", "store_id", "created_at"),
        Index("ix_wifi_visits_customer_created", "customer_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    hotspot_id: Mapped[int] = mapped_column(ForeignKey("hotspots.id"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    nonce: Mapped[str] = mapped_column(String(64))
    device_mac: Mapped[str | None] = mapped_column(String(17))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    new_customer: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
