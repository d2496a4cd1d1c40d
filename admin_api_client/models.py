"""The core's answers as plain, typed values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from loyalty_common.tickets import (
    ActivationTicket,
)


@dataclass(frozen=True)
class WalletOffers:
    """The wallets a merchant's cards can go into: those it has credentials for."""

    apple: bool
    google: bool


NO_WALLETS = WalletOffers(apple=False, google=False)


@dataclass(frozen=True)
class Merchant:
    slug: str
    name: str
    portal_enabled: bool
    currency: str
    default_locale: str
    timezone: str
    header_text: str = ""
    footer_text: str = ""
    accent_color: str = "#0b57d0"
    accent_text_color: str = "#ffffff"
    offered_locales: tuple[str, ...] = ("en", "it", "bg", "nb")
    embed_origins: tuple[str, ...] = ()  # may frame the portal
    points_per_unit: int = 1
    points_validity_months: int | None = None
    tier_period_months: int = 12
    terms_url: str | None = None
    privacy_url: str | None = None
    staff_2fa_required: bool = False
    logo_digest: str | None = None  # None: no logo
    wallets: WalletOffers = NO_WALLETS  # the portal's merchant says which it offers

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Merchant:
        values = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        for name in ("offered_locales", "embed_origins"):
            if name in values:
                values[name] = tuple(values[name])
        if "wallets" in values:
            values["wallets"] = WalletOffers(**values["wallets"])
        return cls(**values)


@dataclass(frozen=True)
class Balances:
    points: int
    credit: int  # minor units
    discount: int  # minor units
    currency: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Balances:
        return cls(data["points"], data["credit"], data["discount"], data["currency"])


@dataclass(frozen=True)
class Card:
    number: str
    activated: bool
    credentials_version: int
    first_name: str
    last_name: str
    email: str | None
    locale: str | None
    balances: Balances
    tier: str | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Card:
        holder = data["holder"]
        return cls(
            number=data["number"],
            activated=data["activated"],
            credentials_version=data["credentials_version"],
            first_name=holder["first_name"],
            last_name=holder["last_name"],
            email=holder.get("email"),
            locale=holder.get("locale"),
            balances=Balances.from_json(data["balances"]),
            tier=data.get("tier"),
        )


@dataclass(frozen=True)
class Operation:
    id: int
    kind: str
    points: int
    credit: int
    discount: int
    store: str | None
    created_at: datetime
    balances: Balances
    replayed: bool
    purchase_amount: int | None = None  # a purchase's receipt, minor units
    reverses: int | None = None  # a void: the operation it reverses
    calculation: dict[str, Any] | None = None  # a purchase's: rate, tier, campaign, points

    @classmethod
    def from_json(cls, data: dict[str, Any], replayed: bool) -> Operation:
        operation = data["operation"]
        return cls(
            id=operation["id"],
            kind=operation["kind"],
            points=operation["points"],
            credit=operation["credit"],
            discount=operation["discount"],
            store=operation["store"],
            created_at=datetime.fromisoformat(operation["created_at"]),
            balances=Balances.from_json(data["balances"]),
            replayed=replayed,
            purchase_amount=operation.get("purchase_amount"),
            reverses=operation.get("reverses"),
            calculation=data.get("calculation"),
        )


@dataclass(frozen=True)
class HistoryEntry:
    """One operation of a card. `points` and `credit` (minor units) are signed changes."""

    id: int
    created_at: datetime
    kind: str  # earn_points, redeem_points, topup_credit, spend_credit, reward, reward_refund, …
    points: int
    credit: int
    discount: int
    description: str | None  # the reward's name for `reward`
    store_code: str | None
    store_name: str | None
    stamps: int | None = None  # for `stamp`: how many, on the stamp card `description` names
    purchase_amount: int | None = None  # a purchase's receipt, minor units

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HistoryEntry:
        store = data.get("store") or {}
        return cls(
            id=data["id"],
            created_at=datetime.fromisoformat(data["created_at"]),
            kind=data["kind"],
            points=data["points"],
            credit=data["credit"],
            discount=data["discount"],
            description=data.get("description"),
            store_code=store.get("code"),
            store_name=store.get("name"),
            stamps=data.get("stamps"),
            purchase_amount=data.get("purchase_amount"),
        )


@dataclass(frozen=True)
class HistoryPage:
    """A page of operations, newest first. The cursors are opaque: pass `next_cursor` as `before`
    for older operations, `previous_cursor` as `after` for newer ones; None where there are none."""

    entries: tuple[HistoryEntry, ...]
    next_cursor: str | None
    previous_cursor: str | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HistoryPage:
        return cls(
            tuple(HistoryEntry.from_json(entry) for entry in data["entries"]),
            data.get("next_cursor"),
            data.get("previous_cursor"),
        )


@dataclass(frozen=True)
class Coupon:
    id: int
    title: str
    description: str
    code: str | None
    valid_from: datetime
    valid_until: datetime  # exclusive
    store_code: str | None  # None: every store
    store_name: str | None
    uses: int  # how many times the card used it
    uses_left: int | None  # None: no limit; 0: used up

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Coupon:
        return cls(
            id=data["id"],
            title=data["title"],
            description=data["description"],
            code=data.get("code"),
            valid_from=datetime.fromisoformat(data["valid_from"]),
            valid_until=datetime.fromisoformat(data["valid_until"]),
            store_code=data.get("store_code"),
            store_name=data.get("store_name"),
            uses=data["uses"],
            uses_left=data.get("uses_left"),
        )


@dataclass(frozen=True)
class Pass:
    """A pass held on a card; `entries_total` None: unlimited entries."""

    id: int
    name: str
    entries_total: int | None
    entries_left: int | None
    valid_from: datetime
    valid_until: datetime  # exclusive
    status: str  # active, upcoming, used_up, expired

    @property
    def current(self) -> bool:
        return self.status in ("active", "upcoming")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Pass:
        return cls(
            id=data["id"],
            name=data["name"],
            entries_total=data.get("entries_total"),
            entries_left=data.get("entries_left"),
            valid_from=datetime.fromisoformat(data["valid_from"]),
            valid_until=datetime.fromisoformat(data["valid_until"]),
            status=data["status"],
        )


@dataclass(frozen=True)
class Offers:
    """What a customer can use: coupons (newest first) and passes (current and recently ended)."""

    coupons: tuple[Coupon, ...]
    passes: tuple[Pass, ...]

    @property
    def current_passes(self) -> tuple[Pass, ...]:
        return tuple(held for held in self.passes if held.current)

    @property
    def past_passes(self) -> tuple[Pass, ...]:
        return tuple(held for held in self.passes if not held.current)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Offers:
        return cls(
            tuple(Coupon.from_json(coupon) for coupon in data["coupons"]),
            tuple(Pass.from_json(held) for held in data["passes"]),
        )


@dataclass(frozen=True)
class Signup:
    """The answer to a sign-up. `created` False: the e-mail address has a card here already
    (`card_number`), nothing was created, and `first_name`/`locale` are the ones on file."""

    created: bool
    card_number: str
    email: str
    first_name: str
    locale: str | None
    activation: ActivationTicket | None  # a new card whose holder chose a password

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Signup:
        activation = ActivationTicket.from_json(data) if data.get("token") else None
        return cls(
            created=data["outcome"] == "created",
            card_number=data["card"],
            email=data["email"],
            first_name=data["first_name"],
            locale=data.get("locale"),
            activation=activation,
        )


@dataclass(frozen=True)
class Profile:
    """The customer's details and current choices, as the profile page shows them."""

    number: str
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    locale: str | None
    marketing_consent: bool
    notify_email: bool
    notify_sms: bool

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Profile:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})
