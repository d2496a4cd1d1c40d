"""A small typed client of the core's API, over HTTP or in-process (WSGI)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import httpx

from loyalty_common.tickets import ActivationTicket, ActiveCardNotice

from .errors import Unavailable
from .models import (
    Card,
    HistoryPage,
    Merchant,
    Offers,
    Operation,
    Signup,
)
from .program import Catalogue, Dashboard, Voucher, VoucherResult
from .transport import WSGIApp, error_from, pep3333, segment

if TYPE_CHECKING:
    from .account import AccountCalls
    from .customers import CustomerCalls
    from .imports import ImportCalls
    from .settings import SettingsCalls
    from .wallet import PassKitCalls, WalletCalls
    from .wifi import WifiCalls

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
        card_version: int | None = None,
        card_session: str | None = None,
        request_id: Callable[[], str | None] | None = None,
    ) -> None:
        """`request_id` names the caller's request (e.g. the site's): sent as `X-Request-Id`, the
        core logs it too."""
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = http or httpx.Client(
            base_url=base_url.rstrip("/") + "/api/v1",
            headers=headers,
            timeout=timeout,
            transport=transport,
        )
        self.merchant = merchant
        self.card_version = card_version
        self.card_session = card_session
        self.request_id = request_id

    @classmethod
    def in_process(cls, app: WSGIApp, **options: Any) -> CoreClient:
        """A client that calls a WSGI app in this process; no socket is opened."""
        return cls("http://core.internal", transport=httpx.WSGITransport(app=pep3333(app)), **options)

    def for_merchant(
        self, slug: str, *, card_version: int | None = None, card_session: str | None = None
    ) -> CoreClient:
        """With `card_version` (a logged-in customer's credentials version) and `card_session`
        (their session's id), the core answers `Unauthorized` for that card once its password has
        changed ("session_expired") or that session was logged out ("session_ended")."""
        return CoreClient(
            "",
            merchant=slug,
            http=self._http,
            card_version=card_version,
            card_session=card_session,
            request_id=self.request_id,
        )

    def close(self) -> None:
        self._http.close()

    @property
    def wifi(self) -> WifiCalls:
        """The Wi-Fi registration's calls: hotspots, the splash, visits."""
        from .wifi import WifiCalls

        return WifiCalls(self)

    @property
    def account(self) -> AccountCalls:
        """A customer's own account: profile, password, e-mail, data, deletion, resets."""
        from .account import AccountCalls

        return AccountCalls(self)

    @property
    def customers(self) -> CustomerCalls:
        """The merchant's customers: search, the customer card, its changes, the export."""
        from .customers import CustomerCalls

        return CustomerCalls(self)

    @property
    def settings(self) -> SettingsCalls:
        """The merchant's portal settings and logo."""
        from .settings import SettingsCalls

        return SettingsCalls(self)

    @property
    def wallet(self) -> WalletCalls:
        """The card in Apple Wallet: whether it is offered, the pass."""
        from .wallet import WalletCalls

        return WalletCalls(self)

    @property
    def passkit(self) -> PassKitCalls:
        """Apple's PassKit web service: device registrations, updated serials, the latest pass."""
        from .wallet import PassKitCalls

        return PassKitCalls(self)

    @property
    def imports(self) -> ImportCalls:
        """Customers imports: upload a file for a dry run, read its report, apply it."""
        from .imports import ImportCalls

        return ImportCalls(self)

    def _request(
        self,
        method: str,
        path: str,
        json: Any = None,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
        timeout: httpx.Timeout | None = None,
    ) -> httpx.Response:
        """`timeout` for the calls that take longer than a page may wait (the client's otherwise)."""
        merged = dict(headers or {})
        if self.merchant:
            merged["X-Merchant"] = self.merchant
        if self.card_version is not None:
            merged["X-Card-Version"] = str(self.card_version)
        if self.card_session is not None:
            merged["X-Card-Session"] = self.card_session
        if self.request_id is not None and (named := self.request_id()):
            merged["X-Request-Id"] = named
        try:
            response = self._http.request(
                method,
                path,
                json=json,
                headers=merged,
                content=content,
                timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.HTTPError as error:
            raise Unavailable("unavailable", f"The core did not answer: {error}") from error
        if response.status_code >= 500:
            raise Unavailable(
                "unavailable",
                f"The core answered {response.status_code}.",
                response.status_code,
            )
        if response.status_code >= 400:
            raise error_from(response)
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
        return Card.from_json(self._request("GET", f"/cards/{segment(number)}").json())

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
            f"/cards/{segment(number)}/operations",
            {"kind": kind, "amount": amount, "store": store, "discount": discount},
            idempotency_key,
        )
        return Operation.from_json(response.json(), response.headers.get("Idempotent-Replayed") == "true")

    def void_operation(
        self, number: str, operation_id: int, *, idempotency_key: str | None = None
    ) -> Operation:
        """The reversing operation (a `void`), once; `Conflict` `already_voided` for a second one."""
        response = self._write(
            f"/cards/{segment(number)}/operations/{operation_id}/void", {}, idempotency_key
        )
        return Operation.from_json(response.json(), response.headers.get("Idempotent-Replayed") == "true")

    # A customer's card in the portal

    def card_dashboard(self, number: str) -> Dashboard:
        return Dashboard.from_json(self._request("GET", f"/portal/cards/{segment(number)}/dashboard").json())

    def card_rewards(self, number: str) -> Catalogue:
        return Catalogue.from_json(self._request("GET", f"/portal/cards/{segment(number)}/rewards").json())

    def redeem_reward(
        self, number: str, reward_id: int, *, idempotency_key: str | None = None
    ) -> VoucherResult:
        """Once per `idempotency_key`: send the same key for a repeated click."""
        response = self._write(
            f"/portal/cards/{segment(number)}/rewards/{reward_id}/redeem", None, idempotency_key
        )
        return VoucherResult.from_json(response.json(), response.headers.get("Idempotent-Replayed") == "true")

    def card_vouchers(self, number: str) -> list[Voucher]:
        body = self._request("GET", f"/portal/cards/{segment(number)}/vouchers").json()
        return [Voucher.from_json(voucher) for voucher in body["vouchers"]]

    def cancel_card_voucher(self, number: str, code: str) -> VoucherResult:
        path = f"/portal/cards/{segment(number)}/vouchers/{segment(code)}/cancel"
        return VoucherResult.from_json(self._request("POST", path).json())

    # The portal's customers

    def portal_login(self, number: str, password: str) -> Card:
        return Card.from_json(
            self._request("POST", "/portal/login", {"card": number, "password": password}).json()
        )

    def start_activation(
        self, number: str, email: str, password: str
    ) -> ActivationTicket | ActiveCardNotice | None:
        """A link to e-mail; a notice for the owner of a card that has a password; None when card
        and e-mail do not match (the customer is told nothing different)."""
        body = self._write(
            "/portal/activations",
            {"card": number, "email": email, "password": password},
            None,
        ).json()
        if body.get("already_active"):
            return ActiveCardNotice(body["email"], body["first_name"], body.get("locale"))
        if body.get("token") is None:
            return None
        return ActivationTicket.from_json(body)

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

    # History, coupons and passes

    def card_history(
        self,
        number: str,
        before: str | None = None,
        limit: int = 20,
        *,
        after: str | None = None,
    ) -> HistoryPage:
        """A page of the card's operations, newest first: the newest, or older than `before` (a
        page's `next_cursor`), or newer than `after` (a page's `previous_cursor`). A cursor the core
        did not give raises Invalid (code `invalid_cursor`)."""
        query = {"limit": str(limit)}
        if before is not None:
            query["before"] = before
        if after is not None:
            query["after"] = after
        path = f"/portal/cards/{segment(number)}/history?{urlencode(query)}"
        return HistoryPage.from_json(self._request("GET", path).json())

    def card_offers(self, number: str) -> Offers:
        return Offers.from_json(self._request("GET", f"/portal/cards/{segment(number)}/offers").json())

    # Web sign-up

    def join(
        self,
        *,
        first_name: str,
        last_name: str,
        email: str,
        terms: bool,
        privacy: bool,
        marketing: bool = False,
        phone: str | None = None,
        gender: str | None = None,
        birth_date: date | None = None,
        locale: str | None = None,
        store: str | None = None,
        password: str | None = None,
        ip_address: str | None = None,
    ) -> Signup:
        """A new card, or (`created` False) the card this e-mail address has already. A broken rule
        raises Invalid with its code (e.g. `terms_required`, `invalid_phone`, `too_young`)."""
        payload = {
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "terms": terms,
            "privacy": privacy,
            "marketing": marketing,
            "phone": phone,
            "gender": gender,
            "birth_date": birth_date.isoformat() if birth_date else None,
            "locale": locale,
            "store": store,
            "password": password,
            "ip_address": ip_address,
        }
        return Signup.from_json(self._write("/portal/join", payload, None).json())
