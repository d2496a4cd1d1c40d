"""What a loyalty program offers: tiers, points campaigns, rewards and the vouchers they become,
coupons, passes; and the customers' consents."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base, UTCDateTime, translations_column
from .accounts import Customer, Store, stored_enum


class Tier(Base):
    """A level of the program, reached by the points earned in the merchant's tier period. Its
    members' purchases earn `multiplier_percent` / 100 times the points (100: the plain rate)."""

    __tablename__ = "tiers"
    __table_args__ = (UniqueConstraint("merchant_id", "threshold"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    name: Mapped[str] = mapped_column(String(64))
    threshold: Mapped[int] = mapped_column(Integer)
    benefits: Mapped[str] = mapped_column(Text, default="", server_default="")
    multiplier_percent: Mapped[int] = mapped_column(Integer, default=100, server_default="100")
    translations: Mapped[dict[str, dict[str, str]]] = translations_column()  # name, benefits


campaign_stores = Table(
    "campaign_stores",
    Base.metadata,
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
    Column("store_id", ForeignKey("stores.id"), primary_key=True),
)


class Campaign(Base):
    """A points campaign: rewards can be taken only while one is on. With `multiplier_percent`,
    purchases at its stores (none listed: every store) earn that many hundredths of the points."""

    __tablename__ = "campaigns"
    __table_args__ = (Index("ix_campaigns_merchant_ends", "merchant_id", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    name: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    multiplier_percent: Mapped[int | None] = mapped_column(Integer)  # None: points as usual
    translations: Mapped[dict[str, dict[str, str]]] = translations_column()  # name
    # Its multiplier applies only to this customer group's members; None: to every customer.
    group_id: Mapped[int | None] = mapped_column(ForeignKey("customer_groups.id"))

    stores: Mapped[list[Store]] = relationship(secondary=campaign_stores, order_by=Store.code)


reward_stores = Table(
    "reward_stores",
    Base.metadata,
    Column("reward_id", ForeignKey("rewards.id", ondelete="CASCADE"), primary_key=True),
    Column("store_id", ForeignKey("stores.id"), primary_key=True),
)


class Reward(Base):
    """What points buy. `stock` None: unlimited; `per_customer_limit` None: no limit; no stores:
    collected at every store; outside `active_from`..`active_until` it cannot be taken."""

    __tablename__ = "rewards"
    __table_args__ = (Index("ix_rewards_merchant_points", "merchant_id", "points"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[int] = mapped_column(Integer)
    image_url: Mapped[str | None] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    voucher_valid_days: Mapped[int] = mapped_column(Integer, default=30)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    stock: Mapped[int | None] = mapped_column(Integer)
    per_customer_limit: Mapped[int | None] = mapped_column(Integer)
    active_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    active_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    picture_digest: Mapped[str | None] = mapped_column(String(64))  # SHA-256 of the uploaded picture
    translations: Mapped[dict[str, dict[str, str]]] = translations_column()  # name, description

    stores: Mapped[list[Store]] = relationship(secondary=reward_stores, order_by=Store.code)


class RewardPicture(Base):
    """A reward's uploaded picture, checked like the merchant's logo."""

    __tablename__ = "reward_pictures"

    reward_id: Mapped[int] = mapped_column(ForeignKey("rewards.id", ondelete="CASCADE"), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    digest: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class VoucherStatus(enum.Enum):
    ISSUED = "issued"
    COLLECTED = "collected"
    CANCELLED = "cancelled"


class Voucher(Base):
    """A redeemed reward, waiting to be collected at the till. An issued voucher past its
    `expires_at` is expired; its points are not given back."""

    __tablename__ = "vouchers"
    __table_args__ = (
        UniqueConstraint("merchant_id", "code"),
        Index("ix_vouchers_card_status", "card_id", "status"),
        Index("ix_vouchers_collected_store", "collected_store_id", "collected_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"))
    reward_id: Mapped[int] = mapped_column(ForeignKey("rewards.id"))
    code: Mapped[str] = mapped_column(String(16))
    points: Mapped[int] = mapped_column(Integer)
    status: Mapped[VoucherStatus] = mapped_column(stored_enum(VoucherStatus))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    collected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    collected_store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    reward: Mapped[Reward] = relationship(lazy="joined", innerjoin=True)


class Coupon(Base):
    """An offer the merchant publishes for every customer, or for the customers of one store, or
    for the members of one customer group."""

    __tablename__ = "coupons"
    __table_args__ = (Index("ix_coupons_merchant_until", "merchant_id", "valid_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    code: Mapped[str | None] = mapped_column(String(32))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime())
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    uses_per_card: Mapped[int | None] = mapped_column(Integer)  # None: no limit (see publish_coupon)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("customer_groups.id"))  # None: everyone
    translations: Mapped[dict[str, dict[str, str]]] = translations_column()  # title, description
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    store: Mapped[Store | None] = relationship()


class Pass(Base):
    """A subscription held on a card: a number of entries (None: unlimited) within a period."""

    __tablename__ = "passes"
    __table_args__ = (Index("ix_passes_card_until", "card_id", "valid_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"))
    kind_id: Mapped[int | None] = mapped_column(ForeignKey("pass_kinds.id"))  # None: given, not sold
    name: Mapped[str] = mapped_column(String(120))
    entries_total: Mapped[int | None] = mapped_column(Integer)
    entries_left: Mapped[int | None] = mapped_column(Integer)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ConsentKind(enum.Enum):
    TERMS = "terms"
    PRIVACY = "privacy"
    MARKETING = "marketing"
    NOTIFY_EMAIL = "notify_email"
    NOTIFY_SMS = "notify_sms"


class ConsentRecord(Base):
    """One consent given or withdrawn: what, when, where, on which version of the wording."""

    __tablename__ = "consent_records"
    __table_args__ = (Index("ix_consent_records_customer", "customer_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[ConsentKind] = mapped_column(stored_enum(ConsentKind))
    granted: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(32))  # portal_join, portal_profile, wifi, import…
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    device_mac: Mapped[str | None] = mapped_column(String(17))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    customer: Mapped[Customer] = relationship()
