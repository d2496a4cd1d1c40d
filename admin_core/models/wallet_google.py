"""The card in Google Wallet: a merchant's issuer and service account, and the loyalty object of
each card whose customer asked to save it (its pushes wait in the wallet's one queue)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base, UTCDateTime
from .accounts import Card


class GoogleWalletSettings(Base):
    """A merchant's Google Wallet issuer and the service account that speaks for it; the private
    key stored sealed (services/wallet_keys)."""

    __tablename__ = "wallet_google_settings"

    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), primary_key=True)
    issuer_id: Mapped[str] = mapped_column(String(32))
    service_account_email: Mapped[str] = mapped_column(String(320))
    private_key_id: Mapped[str | None] = mapped_column(String(64))
    private_key: Mapped[str] = mapped_column(Text)  # sealed PKCS#8 PEM
    # The SHA-256 of the loyalty class last written to Google: another one is written again.
    class_digest: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class GoogleWalletObject(Base):
    """A card's loyalty object: its id's suffix (random, never the card number), made when the
    customer first asks to save the card, and when Google was last asked to notify the holder
    (ISO times, the most recent last: Google allows a few notifications a day per pass)."""

    __tablename__ = "wallet_google_objects"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), unique=True)
    serial: Mapped[str] = mapped_column(String(64), unique=True)
    notified_at: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    card: Mapped[Card] = relationship(lazy="joined", innerjoin=True)
