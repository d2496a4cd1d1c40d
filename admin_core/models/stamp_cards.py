"""Stamp cards: "buy 9 coffees, the 10th is free". The merchant defines what earns a stamp and how
many fill a card; each filled card becomes a voucher for one of the merchant's rewards."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base, UTCDateTime, translations_column
from .accounts import Store
from .program import Reward

stamp_card_stores = Table(
    "stamp_card_stores",
    Base.metadata,
    Column("stamp_card_id", ForeignKey("stamp_cards.id", ondelete="CASCADE"), primary_key=True),
    Column("store_id", ForeignKey("stores.id"), primary_key=True),
)


class StampCard(Base):
    """`name` is what earns a stamp ("coffee"); `stamps_needed` fill it, and the voucher for `reward`
    is valid `voucher_valid_days`. No stores: stamps are given at every store."""

    __tablename__ = "stamp_cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    name: Mapped[str] = mapped_column(String(64))
    stamps_needed: Mapped[int] = mapped_column(Integer)
    reward_id: Mapped[int] = mapped_column(ForeignKey("rewards.id"))
    voucher_valid_days: Mapped[int] = mapped_column(Integer, default=30)
    translations: Mapped[dict[str, dict[str, str]]] = translations_column()  # name
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    reward: Mapped[Reward] = relationship(lazy="joined", innerjoin=True)
    stores: Mapped[list[Store]] = relationship(secondary=stamp_card_stores, order_by=Store.code)


class StampProgress(Base):
    """How far a loyalty card is on a stamp card: `stamps` on the current fill (below the number
    needed), `filled` the times it was filled. Written under the loyalty card's row lock."""

    __tablename__ = "stamp_progress"

    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), primary_key=True)
    stamp_card_id: Mapped[int] = mapped_column(ForeignKey("stamp_cards.id"), primary_key=True)
    stamps: Mapped[int] = mapped_column(Integer, default=0)
    filled: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
