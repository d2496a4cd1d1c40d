"""The merchant's customers (merchant key): the search a page at a time, the customer card, and
the changes staff make to it (details, a manual adjustment, blocking, a lost card replaced)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from .client import CoreClient
from .transport import segment


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@dataclass(frozen=True)
class CustomerRow:
    number: str
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    points: int
    credit: int  # minor units
    discount: int  # minor units
    store: str | None  # the home store's code
    source: str | None  # wifi, web, import, till; None: unknown
    marketing_consent: bool
    signed_up_at: datetime

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CustomerRow:
        return cls(
            number=data["number"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data.get("email"),
            phone=data.get("phone"),
            points=data["points"],
            credit=data["credit"],
            discount=data["discount"],
            store=(data.get("store") or {}).get("code"),
            source=data.get("source"),
            marketing_consent=data["marketing_consent"],
            signed_up_at=datetime.fromisoformat(data["signed_up_at"]),
        )


@dataclass(frozen=True)
class CustomerPage:
    customers: list[CustomerRow]
    next_cursor: str | None
    previous_cursor: str | None


@dataclass(frozen=True)
class CustomerCard:
    """The customer card as staff see it; the lists as the core sends them (newest first)."""

    customer: CustomerRow
    birth_date: date | None
    locale: str | None
    activated: bool
    blocked: bool
    earlier_numbers: list[str]
    operations: list[dict[str, Any]]
    vouchers: list[dict[str, Any]]
    passes: list[dict[str, Any]]
    consents: list[dict[str, Any]]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CustomerCard:
        return cls(
            customer=CustomerRow.from_json(data),
            birth_date=_day(data.get("birth_date")),
            locale=data.get("locale"),
            activated=data["activated"],
            blocked=data["blocked"],
            earlier_numbers=data["earlier_numbers"],
            operations=data["operations"],
            vouchers=data["vouchers"],
            passes=data["passes"],
            consents=data["consents"],
        )


@dataclass(frozen=True)
class Adjustment:
    operation: int
    number: str
    points: int
    credit: int


class CustomerCalls:
    """`client.customers`."""

    def __init__(self, client: CoreClient) -> None:
        self._client = client

    def search(
        self, q: str = "", *, cursor: str | None = None, limit: int | None = None, **filters: Any
    ) -> CustomerPage:
        """`filters`: marketing (bool), source, store (a code). A cursor not given for this
        search raises Invalid `invalid_cursor`."""
        query = {"q": q, **filters, "cursor": cursor, "limit": limit}
        sent = {
            name: str(value).lower() if isinstance(value, bool) else value
            for name, value in query.items()
            if value is not None
        }
        body = self._client._request("GET", f"/customers?{urlencode(sent)}").json()
        return CustomerPage(
            [CustomerRow.from_json(row) for row in body["customers"]],
            body.get("next_cursor"),
            body.get("previous_cursor"),
        )

    def get(self, number: str) -> CustomerCard:
        """NotFound `card_not_found`; Gone `card_replaced` for a lost card's old number."""
        return CustomerCard.from_json(self._client._request("GET", f"/customers/{segment(number)}").json())

    def change(self, number: str, **changes: Any) -> CustomerRow:
        """first_name, last_name, email, phone, birth_date (a date, None removes it), gender,
        locale: only what is given changes. Invalid with the field's code; Conflict `email_taken`."""
        if isinstance(changes.get("birth_date"), date):
            changes["birth_date"] = changes["birth_date"].isoformat()
        self._client._request("PATCH", f"/customers/{segment(number)}/details", changes)
        return self.get(number).customer

    def adjust(
        self,
        number: str,
        reason: str,
        *,
        points: int = 0,
        credit: int = 0,
        idempotency_key: str | None = None,
    ) -> Adjustment:
        """Once per `idempotency_key`; Conflict `insufficient_points` / `insufficient_credit`."""
        payload = {"points": points, "credit": credit, "reason": reason}
        body = self._client._write(
            f"/customers/{segment(number)}/adjustments", payload, idempotency_key
        ).json()
        return Adjustment(body["operation"], body["number"], body["points"], body["credit"])

    def set_blocked(self, number: str, blocked: bool) -> bool:
        action = "block" if blocked else "unblock"
        answer: bool = self._client._request("POST", f"/customers/{segment(number)}/{action}").json()[
            "blocked"
        ]
        return answer

    def replace(
        self, number: str, new_number: str | None = None, *, idempotency_key: str | None = None
    ) -> str:
        """The card's new number (made by the core when none is given); Conflict `card_exists`."""
        path = f"/customers/{segment(number)}/replacement"
        body = self._client._write(path, {"number": new_number}, idempotency_key).json()
        replaced: str = body["number"]
        return replaced
