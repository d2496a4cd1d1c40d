"""The gifts of a merchant's program that no till records: a welcome bonus when a customer joins
(from the sign-up sources the merchant chooses) and points for a visit to a venue's Wi-Fi."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from ..database import Base, UTCDateTime


class ProgramBonuses(Base):
    """One row per merchant that set them; none: no bonuses. 0 points: that bonus is off."""

    __tablename__ = "program_bonuses"

    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), primary_key=True)
    welcome_points: Mapped[int] = mapped_column(Integer, default=0)
    # The CustomerSource values whose new customers get the welcome bonus.
    welcome_sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    # At most once a day (the merchant's) at each venue: the first Wi-Fi visit of the day counts.
    wifi_visit_points: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
