"""Store groups: a merchant's named sets of stores ("Milan shops"), chosen wherever a store is."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base
from .accounts import Store

store_group_members = Table(
    "store_group_members",
    Base.metadata,
    Column("group_id", ForeignKey("store_groups.id", ondelete="CASCADE"), primary_key=True),
    Column("store_id", ForeignKey("stores.id"), primary_key=True),
)


class StoreGroup(Base):
    __tablename__ = "store_groups"
    __table_args__ = (UniqueConstraint("merchant_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    name: Mapped[str] = mapped_column(String(200))

    stores: Mapped[list[Store]] = relationship(secondary=store_group_members, order_by=Store.code)
