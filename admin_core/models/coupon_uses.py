"""A coupon used by a card at a till: how many times a card has used a coupon is counted here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from ..database import Base, UTCDateTime


class CouponUse(Base):
    __tablename__ = "coupon_uses"
    __table_args__ = (Index("ix_coupon_uses_card_coupon", "card_id", "coupon_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coupon_id: Mapped[int] = mapped_column(ForeignKey("coupons.id"))
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))  # None: through the API
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
