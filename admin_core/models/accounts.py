"""Merchants, stores, customers, cards and the ledger. Money is in minor units (cents)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base, UTCDateTime, translations_column
from .search_keys import EMAIL_KEY, NAME_KEY, PHONE_KEY, customer_keys


class OperationKind(enum.Enum):
    EARN_POINTS = "earn_points"
    REDEEM_POINTS = "redeem_points"
    TOPUP_CREDIT = "topup_credit"
    SPEND_CREDIT = "spend_credit"
    REWARD = "reward"  # points turned into a voucher
    REWARD_REFUND = "reward_refund"  # a cancelled voucher's points back
    EXPIRY = "expiry"
    ADJUSTMENT = "adjustment"
    PURCHASE = "purchase"  # points computed from a receipt's amount (services/earning.py)
    VOID = "void"  # reverses one operation recorded by mistake (`reverses_id`)
    PASS_SALE = "pass_sale"  # a pass sold at a till: no balance changes, the pass is on the card
    PASS_ENTRY = "pass_entry"  # an entry of a pass used
    COUPON_USE = "coupon_use"  # a coupon used at a till (see CouponUse)
    STAMP = "stamp"  # stamps on a stamp card (`stamp_card_id`, `stamps`); no balance changes
    WELCOME_BONUS = "welcome_bonus"  # points given on joining (models/bonuses.py)
    VISIT_BONUS = "visit_bonus"  # points for the day's first Wi-Fi visit to a venue


class CustomerSource(enum.Enum):
    """Where a customer signed up."""

    WEB = "web"
    WIFI = "wifi"
    IMPORT = "import"
    TILL = "till"  # enrolled by staff: a walk-in handed a card


SEARCH_KEYS = ("search_name", "search_name_reversed", "search_email", "search_phone")
CONTACT_KEYS = ("search_email", "search_phone")  # absent for many customers: a phone-only venue's, …


def present_index(name: str, column: str, **options: Any) -> Index:
    """An index per merchant of the customers who have this contact detail. Leaving out those
    without one keeps it small, and keeps a merchant's many customers without, say, a phone from
    making the phone index the smallest one starting with `merchant_id`: on a database without
    planner statistics yet (a new venue's first minutes) PostgreSQL then took it for an e-mail
    lookup, reading every customer of the merchant. Every lookup by the detail (`=`, `IN`, `LIKE`)
    implies it is there, so both databases serve it from here."""
    present = text(f"{column} IS NOT NULL")
    return Index(name, "merchant_id", column, postgresql_where=present, sqlite_where=present, **options)


class TokenPurpose(enum.Enum):
    ACTIVATION = "activation"
    RESET = "reset"
    EMAIL_CHANGE = "email_change"
    WIFI_CONFIRMATION = "wifi_confirmation"  # the address a Wi-Fi guest typed, before its card is mailed


def stored_enum(kind: type[enum.Enum]) -> Enum:
    """Enums are stored by value, as plain strings: adding a member needs no migration."""
    return Enum(
        kind,
        native_enum=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )


class Merchant(Base):
    __tablename__ = "merchants"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    portal_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    default_locale: Mapped[str] = mapped_column(String(8), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Program rules the portal shows and applies.
    # Points expire after this many months without activity; None: never.
    points_validity_months: Mapped[int | None] = mapped_column(Integer)
    tier_period_months: Mapped[int] = mapped_column(Integer, default=12)
    card_prefix: Mapped[str] = mapped_column(String(12), default="9")  # of web sign-up cards
    # Versions of the consent wordings customers accept; a record keeps the version it was given on.
    terms_version: Mapped[str] = mapped_column(String(32), default="1")
    privacy_version: Mapped[str] = mapped_column(String(32), default="1")
    marketing_version: Mapped[str] = mapped_column(String(32), default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The portal's look and where it may be embedded (the merchant's admin sets these).
    header_text: Mapped[str] = mapped_column(Text, default="")
    footer_text: Mapped[str] = mapped_column(Text, default="")
    translations: Mapped[dict[str, dict[str, str]]] = translations_column()  # header_text, footer_text
    accent_color: Mapped[str] = mapped_column(String(7), default="#0b57d0")
    accent_text_color: Mapped[str] = mapped_column(String(7), default="#ffffff")
    offered_locales: Mapped[str] = mapped_column(String(64), default="en,it,bg,nb")
    embed_origins: Mapped[list[str]] = mapped_column(JSON, default=list)
    points_per_unit: Mapped[int] = mapped_column(Integer, default=1)  # per unit of the currency spent
    terms_url: Mapped[str | None] = mapped_column(String(500))
    privacy_url: Mapped[str | None] = mapped_column(String(500))
    staff_2fa_required: Mapped[bool] = mapped_column(Boolean, default=False)
    logo_digest: Mapped[str | None] = mapped_column(
        String(64)
    )  # of merchant_logos' row: the page asks no more


class Store(Base):
    """A shop of the merchant. `code` names it to tills and integrations and never changes; a
    switched-off store (`active` False) records nothing more and keeps its history."""

    __tablename__ = "stores"
    __table_args__ = (UniqueConstraint("merchant_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # {"mon": [{"open": "09:00", "close": "13:00"}, …], …, "sun": []} (services/store_hours.py);
    # None: not given.
    opening_hours: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    latitude: Mapped[float | None] = mapped_column(Float)  # degrees, WGS 84; both or neither
    longitude: Mapped[float | None] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    points_per_unit: Mapped[int | None] = mapped_column(Integer)  # None: the merchant's rate
    translations: Mapped[dict[str, dict[str, str]]] = translations_column()  # name


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        present_index("ix_customers_merchant_email", "email"),
        present_index("ix_customers_merchant_phone", "phone"),
        Index("ix_customers_store_created", "store_id", "created_at"),
        *(
            # text_pattern_ops: PostgreSQL serves `LIKE 'prefix%'` from the index whatever the
            # database's collation; SQLite compares bytes and serves the range from a plain one.
            present_index(f"ix_customers_merchant_{key}", key, postgresql_ops={key: "text_pattern_ops"})
            if key in CONTACT_KEYS
            else Index(
                f"ix_customers_merchant_{key}", "merchant_id", key, postgresql_ops={key: "text_pattern_ops"}
            )
            for key in SEARCH_KEYS
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    locale: Mapped[str | None] = mapped_column(String(8))
    gender: Mapped[str | None] = mapped_column(String(16))
    birth_date: Mapped[date | None] = mapped_column(Date)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))  # home store
    marketing_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    notify_email: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_sms: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Account deleted: personal data erased, the card's ledger kept for the merchant's books.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    source: Mapped[CustomerSource | None] = mapped_column(stored_enum(CustomerSource))  # None: unknown
    # What staff find the customer by (models/search_keys.py), kept by the events below.
    search_name: Mapped[str] = mapped_column(String(NAME_KEY), default="", server_default="")
    search_name_reversed: Mapped[str] = mapped_column(String(NAME_KEY), default="", server_default="")
    search_email: Mapped[str | None] = mapped_column(String(EMAIL_KEY))
    search_phone: Mapped[str | None] = mapped_column(String(PHONE_KEY))


@event.listens_for(Customer, "before_insert")
@event.listens_for(Customer, "before_update")
def _keep_search_keys(_mapper: object, _connection: object, customer: Customer) -> None:
    """Every ORM write of a customer (sign-ups, profile changes, erasure) refreshes the keys; bulk
    inserts (services/customer_inserts.py) compute them with the same function."""
    for name, value in customer_keys(
        customer.first_name, customer.last_name or "", customer.email, customer.phone
    ).items():
        setattr(customer, name, value)


class Card(Base):
    """A loyalty card, its portal credentials and its materialised balances."""

    __tablename__ = "cards"
    __table_args__ = (
        UniqueConstraint("merchant_id", "number"),
        # The unique index's default opclass cannot serve `LIKE 'prefix%'` under a non-C collation.
        Index(
            "ix_cards_merchant_number_prefix",
            "merchant_id",
            "number",
            postgresql_ops={"number": "text_pattern_ops"},
        ),
        Index("ix_cards_customer", "customer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    number: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    credentials_version: Mapped[int] = mapped_column(Integer, default=0)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    points: Mapped[int] = mapped_column(BigInteger, default=0)
    credit: Mapped[int] = mapped_column(BigInteger, default=0)
    discount: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Blocked by the merchant's admin (lost, misused): no portal login, no use at a till.
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set on the row that keeps a replaced card's old number taken: the card that took over.
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"))

    customer: Mapped[Customer] = relationship(lazy="joined", innerjoin=True)


class Operation(Base):
    """One ledger entry; the card's balances are the sum of these."""

    __tablename__ = "operations"
    __table_args__ = (
        Index("ix_operations_card_created", "card_id", "created_at"),
        # One void per operation, whatever races: the second insert fails.
        UniqueConstraint("reverses_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    kind: Mapped[OperationKind] = mapped_column(stored_enum(OperationKind))
    points: Mapped[int] = mapped_column(BigInteger, default=0)
    credit: Mapped[int] = mapped_column(BigInteger, default=0)
    discount: Mapped[int] = mapped_column(BigInteger, default=0)
    description: Mapped[str | None] = mapped_column(String(200))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))  # who recorded it at a till
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    purchase_amount: Mapped[int | None] = mapped_column(BigInteger)  # a purchase's receipt, minor units
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("operations.id"))  # what a void reverses
    stamp_card_id: Mapped[int | None] = mapped_column(ForeignKey("stamp_cards.id"))  # a stamp's card
    stamps: Mapped[int | None] = mapped_column(Integer)  # how many a stamp operation gave

    store: Mapped[Store | None] = relationship()
