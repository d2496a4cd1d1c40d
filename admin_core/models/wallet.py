"""The card in Apple Wallet: a merchant's pass credentials, one pass per card, the devices that
registered it, and the durable queue of the pushes that tell them it changed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base, UTCDateTime
from .accounts import Card


class WalletSettings(Base):
    """A merchant's Apple credentials. The private keys are stored sealed (services/wallet_keys);
    the certificates are public and kept as PEM."""

    __tablename__ = "wallet_settings"

    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(10))
    pass_type_id: Mapped[str] = mapped_column(String(255))
    certificate_pem: Mapped[str] = mapped_column(Text)  # the Pass Type ID certificate
    intermediate_pem: Mapped[str] = mapped_column(Text)  # Apple's WWDR certificate that issued it
    private_key: Mapped[str] = mapped_column(Text)  # sealed PKCS#8 PEM
    certificate_expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Token-based APNs auth (.p8); none: the Pass Type ID certificate authenticates the pushes.
    apns_key_id: Mapped[str | None] = mapped_column(String(10))
    apns_team_id: Mapped[str | None] = mapped_column(String(10))
    apns_key: Mapped[str | None] = mapped_column(Text)  # sealed PKCS#8 PEM
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WalletPass(Base):
    """A card's pass: its serial (random, never the card number) and when what it shows last
    changed (the web service's Last-Modified and update tag)."""

    __tablename__ = "wallet_passes"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), unique=True)
    serial: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    card: Mapped[Card] = relationship(lazy="joined", innerjoin=True)


class WalletRegistration(Base):
    """A device that asked to hear when a pass changes, and the token APNs reaches it by."""

    __tablename__ = "wallet_registrations"
    __table_args__ = (
        UniqueConstraint("pass_id", "device_id"),
        Index("ix_wallet_registrations_device", "device_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pass_id: Mapped[int] = mapped_column(ForeignKey("wallet_passes.id"))
    device_id: Mapped[str] = mapped_column(String(128))
    push_token: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    wallet_pass: Mapped[WalletPass] = relationship(lazy="joined", innerjoin=True)


class WalletPush(Base):
    """A push owed to one Apple registration, or a patch owed to one Google loyalty object.
    Claimed with a lease and retried with back-off, like outbound mail; removed with its
    registration."""

    __tablename__ = "wallet_pushes"
    __table_args__ = (
        Index("ix_wallet_pushes_due", "sent_at", "failed_at", "next_attempt_at"),
        CheckConstraint("(registration_id IS NULL) <> (google_object_id IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("wallet_registrations.id"), index=True)
    google_object_id: Mapped[int | None] = mapped_column(ForeignKey("wallet_google_objects.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
