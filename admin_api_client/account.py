"""A customer's own account, as the portal reaches it (site key; calls about a card go through a
client made with the session's `card_version`): profile, password, e-mail, data, deletion, logging
out, and forgotten passwords."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from loyalty_common.tickets import EmailChangeTicket, ResetTicket

from .client import CoreClient
from .models import Card, Profile
from .transport import segment


class AccountCalls:
    """`client.account`."""

    def __init__(self, client: CoreClient) -> None:
        self._client = client

    def get_profile(self, number: str) -> Profile:
        return Profile.from_json(
            self._client._request("GET", f"/portal/cards/{segment(number)}/profile").json()
        )

    def update_profile(
        self,
        number: str,
        *,
        ip_address: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        phone: str | None = None,
        locale: str | None = None,
        marketing_consent: bool | None = None,
        notify_email: bool | None = None,
        notify_sms: bool | None = None,
    ) -> Profile:
        """Change what is given (an empty phone removes it). A consent that changes is recorded
        with `ip_address`: the customer's, as the site saw it."""
        given = {
            "first_name": first_name,
            "last_name": last_name,
            "phone": phone,
            "locale": locale,
            "marketing_consent": marketing_consent,
            "notify_email": notify_email,
            "notify_sms": notify_sms,
            "ip_address": ip_address,
        }
        body = {name: value for name, value in given.items() if value is not None}
        return Profile.from_json(
            self._client._write(f"/portal/cards/{segment(number)}/profile", body, None).json()
        )

    def change_password(self, number: str, current: str, new: str) -> Card:
        """Unauthorized `wrong_password` when `current` is wrong. The answer carries the new
        credentials version: the session to continue with."""
        body = {"current_password": current, "new_password": new}
        return Card.from_json(
            self._client._write(f"/portal/cards/{segment(number)}/password", body, None).json()
        )

    def start_email_change(self, number: str, password: str, new_email: str) -> EmailChangeTicket:
        body = {"password": password, "new_email": new_email}
        return EmailChangeTicket.from_json(
            self._client._write(f"/portal/cards/{segment(number)}/email", body, None).json()
        )

    def complete_email_change(self, token: str) -> Card:
        return Card.from_json(
            self._client._write("/portal/email-changes/complete", {"token": token}, None).json()
        )

    def export_customer_data(self, number: str) -> dict[str, Any]:
        """Everything kept about the card's customer: the JSON document they download."""
        data: dict[str, Any] = self._client._request("GET", f"/portal/cards/{segment(number)}/export").json()
        return data

    def delete_account(self, number: str, password: str, ip_address: str | None = None) -> None:
        body = {"password": password, **({"ip_address": ip_address} if ip_address else {})}
        self._client._write(f"/portal/cards/{segment(number)}/deletion", body, None)

    def end_session(self, number: str, session_id: str, expires_at: datetime) -> None:
        """Logging out: the session is refused from now on, wherever its cookie was copied (the
        card's other sessions go on); `expires_at`: when its age would end it anyway."""
        body = {"session_id": session_id, "expires_at": expires_at.isoformat()}
        self._client._write(f"/portal/cards/{segment(number)}/sessions/end", body, None)

    def start_reset(self, email: str) -> ResetTicket | None:
        """Links to e-mail when cards have this address; None when none has."""
        return ResetTicket.from_json(self._client._write("/portal/resets", {"email": email}, None).json())

    def check_link(self, token: str, purpose: str) -> str | None:
        """Raises Gone when the e-mailed link (`activation`, `reset`, `email_change`) no longer
        works; the address an e-mail-change link puts on file."""
        body = self._client._write("/portal/links/check", {"token": token, "purpose": purpose}, None)
        new_email: str | None = body.json()["new_email"]
        return new_email

    def complete_reset(self, token: str, password: str) -> Card:
        body = {"token": token, "password": password}
        return Card.from_json(self._client._write("/portal/resets/complete", body, None).json())
