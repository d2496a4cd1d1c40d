"""A small typed client of the core's API, over HTTP or in-process (WSGI)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from .errors import BY_STATUS, CoreError, Unavailable
from .models import ActivationTicket, Card, Merchant, Operation

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
DEFAULT_TIMEOUT = httpx.Timeout(5.0, connect=2.0)


class CoreClient:
    """Calls one core. `for_merchant(slug)` gives a client acting for that merchant (a site key
    needs it; a merchant key implies it)."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        merchant: str | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = http or httpx.Client(
            base_url=base_url.rstrip("/") + "/api/v1",
            headers=headers,
            timeout=timeout,
            transport=transport,
        )
        self.merchant = merchant

    @classmethod
    def in_process(cls, app: WSGIApp, **options: Any) -> CoreClient:
        """A client that calls a WSGI app in this process; no socket is opened."""
        return cls("http://core.internal", transport=httpx.WSGITransport(app=app), **options)

    def for_merchant(self, slug: str) -> CoreClient:
        return CoreClient("", merchant=slug, http=self._http)

    def close(self) -> None:
        self._http.close()

    def _request(
        self,
        method: str,
        path: str,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        merged = dict(headers or {})
        if self.merchant:
            merged["X-Merchant"] = self.merchant
        try:
            response = self._http.request(method, path, json=json, headers=merged)
        except httpx.HTTPError as error:
            raise Unavailable("unavailable", f"The core did not answer: {error}") from error
        if response.status_code >= 500:
            raise Unavailable(
                "unavailable",
                f"The core answered {response.status_code}.",
                response.status_code,
            )
        if response.status_code >= 400:
            raise _error(response)
        return response

    def _write(self, path: str, json: Any, idempotency_key: str | None) -> httpx.Response:
        return self._request(
            "POST",
            path,
            json,
            {"Idempotency-Key": idempotency_key or str(uuid.uuid4())},
        )

    # The merchant

    def get_merchant(self) -> Merchant:
        return Merchant.from_json(self._request("GET", "/portal/merchant").json())

    # Cards and the ledger

    def get_card(self, number: str) -> Card:
        return Card.from_json(self._request("GET", f"/cards/{_segment(number)}").json())

    def record_operation(
        self,
        number: str,
        kind: str,
        amount: int,
        store: str,
        *,
        discount: int = 0,
        idempotency_key: str | None = None,
    ) -> Operation:
        """Apply once per `idempotency_key` (a fresh one when not given)."""
        response = self._write(
            f"/cards/{_segment(number)}/operations",
            {"kind": kind, "amount": amount, "store": store, "discount": discount},
            idempotency_key,
        )
        return Operation.from_json(response.json(), response.headers.get("Idempotent-Replayed") == "true")

    # The portal's customers

    def portal_login(self, number: str, password: str) -> Card:
        return Card.from_json(
            self._request("POST", "/portal/login", {"card": number, "password": password}).json()
        )

    def start_activation(self, number: str, email: str, password: str) -> ActivationTicket | None:
        body = self._write(
            "/portal/activations",
            {"card": number, "email": email, "password": password},
            None,
        ).json()
        if body.get("token") is None:
            return None
        return ActivationTicket(
            body["token"],
            body["email"],
            body["first_name"],
            body.get("locale"),
            datetime.fromisoformat(body["expires_at"]),
        )

    def complete_activation(self, token: str) -> Card:
        return Card.from_json(self._write("/portal/activations/complete", {"token": token}, None).json())

    # E-mail

    def queue_mail(self, to: str, subject: str, text: str, html: str | None = None) -> int:
        body = self._write(
            "/portal/mail",
            {"to": to, "subject": subject, "text": text, "html": html},
            None,
        )
        message_id: int = body.json()["id"]
        return message_id


def _segment(value: str) -> str:
    return quote(value, safe="")


def _error(response: httpx.Response) -> CoreError:
    try:
        error = response.json()["error"]
        code, message = str(error["code"]), str(error["message"])
    except (ValueError, KeyError, TypeError):
        code, message = "http_error", response.text[:200]
    return BY_STATUS.get(response.status_code, CoreError)(code, message, response.status_code)
