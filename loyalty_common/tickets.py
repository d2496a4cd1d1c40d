"""What the core answers when the site must e-mail a one-time link (activation, password reset,
new address): one definition for both sides, the core building them, the client reading them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class ActivationTicket:
    """Card and e-mail matched: what the site needs to e-mail the activation link."""

    token: str
    email: str
    first_name: str
    locale: str | None
    expires_at: datetime

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ActivationTicket:
        return cls(
            data["token"],
            data["email"],
            data["first_name"],
            data.get("locale"),
            datetime.fromisoformat(data["expires_at"]),
        )


@dataclass(frozen=True)
class ActiveCardNotice:
    """Someone asked to activate a card that has a password: no link; its owner is told at `email`."""

    email: str
    first_name: str
    locale: str | None


@dataclass(frozen=True)
class ResetLink:
    """One card sharing the address. No token: the card has no password yet (activate instead)."""

    number: str
    first_name: str
    token: str | None


@dataclass(frozen=True)
class ResetTicket:
    """What the site needs to e-mail password-reset links: one message, a link per card."""

    email: str
    locale: str | None
    cards: tuple[ResetLink, ...]
    expires_at: datetime

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ResetTicket | None:
        """None when no card has the address (the customer is told nothing different)."""
        if not data["cards"]:
            return None
        return cls(
            data["email"],
            data.get("locale"),
            tuple(ResetLink(card["number"], card["first_name"], card.get("token")) for card in data["cards"]),
            datetime.fromisoformat(data["expires_at"]),
        )


@dataclass(frozen=True)
class EmailChangeTicket:
    """A link to the new address; a notice to the old one (None: there was none)."""

    token: str
    new_email: str
    old_email: str | None
    first_name: str
    locale: str | None
    expires_at: datetime

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EmailChangeTicket:
        return cls(
            data["token"],
            data["new_email"],
            data.get("old_email"),
            data["first_name"],
            data.get("locale"),
            datetime.fromisoformat(data["expires_at"]),
        )
