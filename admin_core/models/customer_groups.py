"""Customer groups: a merchant's named sets of customers ("Regulars"), listed by hand or kept as a
saved search of the customers list, whose members are whoever it finds when asked."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..database import Base, UTCDateTime
from .accounts import stored_enum


class GroupKind(enum.Enum):
    MANUAL = "manual"  # the customers added to it
    FILTER = "filter"  # whoever its saved search finds now


customer_group_members = Table(
    "customer_group_members",
    Base.metadata,
    Column("group_id", ForeignKey("customer_groups.id", ondelete="CASCADE"), primary_key=True),
    Column("customer_id", ForeignKey("customers.id"), primary_key=True),
    Index("ix_customer_group_members_customer", "customer_id"),
)


class CustomerGroup(Base):
    __tablename__ = "customer_groups"
    __table_args__ = (UniqueConstraint("merchant_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[GroupKind] = mapped_column(stored_enum(GroupKind))
    # A filter group's search, as services/customer_filters.py writes it; None for a manual group.
    search: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
