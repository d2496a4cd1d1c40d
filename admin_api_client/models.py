"""The core's answers as plain, typed values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Merchant:
    slug: str
    name: str
    portal_enabled: bool
    currency: str
    default_locale: str
    timezone: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Merchant:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


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
        )


@dataclass(frozen=True)
class ActivationTicket:
    """Present when card and e-mail matched: what the site needs to e-mail the link."""

    token: str
    email: str
    first_name: str
    locale: str | None
    expires_at: datetime
