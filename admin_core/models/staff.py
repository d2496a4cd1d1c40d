"""The people who run a merchant's program: staff accounts per store, the merchant's logo, the
customer files they import."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base, UTCDateTime
from .accounts import Merchant, Store, stored_enum


class StaffLevel(enum.Enum):
    ADMIN = "ADMIN"  # the merchant's admin: every store, staff, portal settings, imports
    MANAGER = "MANAGER"  # one store: the till, and that store's coupons and figures
    USER = "USER"  # one store: the till (card lookup, operations, vouchers)


class Staff(Base):
    """A staff account. Logs in to the core's web UI with its merchant, e-mail and password (and a
    TOTP code when two-factor is on); sees one store, or all of them as the merchant's admin."""

    __tablename__ = "staff"
    __table_args__ = (
        Index("ix_staff_merchant_store", "merchant_id", "store_id"),
        # The login, within one merchant: another merchant's staff may have the same address.
        UniqueConstraint("merchant_id", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))  # None: the merchant's admin
    level: Mapped[StaffLevel] = mapped_column(stored_enum(StaffLevel))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str] = mapped_column(String(254))
    # None: invited, not yet joined (no password logs in; the mailed link sets the first one).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    credentials_version: Mapped[int] = mapped_column(Integer, default=0)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)  # of the last code used: no code twice
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    merchant: Mapped[Merchant] = relationship(lazy="joined", innerjoin=True)
    store: Mapped[Store | None] = relationship(lazy="joined")

    @property
    def invited(self) -> bool:
        """Invited by e-mail and not yet joined: the account has no password."""
        return self.password_hash is None


class MerchantLogo(Base):
    """The logo the portal shows above its header: PNG, JPEG or a checked SVG."""

    __tablename__ = "merchant_logos"

    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256: the ETag
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ImportStatus(enum.Enum):
    """Where an import is: the upload queues its check, applying queues the apply; `core
    run-imports` workers do both (see services/import_queue)."""

    QUEUED_CHECK = "queued_check"
    CHECKED = "checked"  # the report says what applying would do
    QUEUED_APPLY = "queued_apply"
    APPLIED = "applied"
    FAILED = "failed"  # error_code and error_message say why


class CustomerImport(Base):
    """A customers file as uploaded, its dry-run report and, once applied, what it did. The file
    is kept: the check and the apply read it from here, not from a second upload."""

    __tablename__ = "customer_imports"
    __table_args__ = (
        Index("ix_customer_imports_merchant_created", "merchant_id", "created_at"),
        Index("ix_customer_imports_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    filename: Mapped[str] = mapped_column(String(255))
    digest: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    # A workbook's lines as read at the dry run (gzipped JSON): applying reads these, not it again.
    lines: Mapped[bytes | None] = mapped_column(LargeBinary)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[ImportStatus] = mapped_column(stored_enum(ImportStatus), default=ImportStatus.CHECKED)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(String(500))
    # A worker's lease on a queued import: another takes it once this has passed (the worker died).
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # claims so far

    @property
    def error(self) -> dict[str, str] | None:
        """Why it failed, as the API says it."""
        if self.status is not ImportStatus.FAILED:
            return None
        return {"code": self.error_code or "import_failed", "message": self.error_message or ""}
