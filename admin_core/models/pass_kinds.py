"""What passes a merchant sells: "10 entries", "monthly"… Each sale puts a `Pass` on a card."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..database import Base, UTCDateTime


class PassKind(Base):
    __tablename__ = "pass_kinds"
    __table_args__ = (Index("ix_pass_kinds_merchant", "merchant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    name: Mapped[str] = mapped_column(String(120))
    entries: Mapped[int | None] = mapped_column(Integer)  # None: unlimited within the validity
    validity_days: Mapped[int] = mapped_column(Integer)
    price: Mapped[int] = mapped_column(BigInteger)  # minor units of the merchant's currency
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # on sale
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
