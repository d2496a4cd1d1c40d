"""Patches to the Google Wallet REST API for `core send-pushes`: the merchant's loyalty class
(written when it changed: patched, or inserted when Google has none) and the card's loyalty
object (patched, or inserted when the customer's save never reached Google), with an OAuth2
access token that the merchant's service account gets by a signed JWT (RFC 7523).
WALLET_GOOGLE_API_URL and WALLET_GOOGLE_TOKEN_URL say where Google is."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import quote

import httpx
import jwt

from .context import Core
from .services import utcnow
from .services.wallet_google_credentials import GoogleCredentials, find_settings, opened
from .services.wallet_google_sync import class_to_write, class_written, notified, object_to_send
from .services.wallet_push import DuePush, PushRefused
from .wallet_labels import pass_labels

SCOPE = "https://www.googleapis.com/auth/wallet_object.issuer"
GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
ASSERTION_LIFETIME = 3600
EARLY = 120  # seconds before its end a token is renewed
BASE = "/walletobjects/v1"
RETRIED = {409, 429}  # inserted meanwhile by another worker (patched next time); too many requests


class GoogleUnavailable(RuntimeError):
    """Google did not answer, or answered that it cannot now: the patch is tried again later."""


@dataclass
class TokenCache:
    """Access tokens by merchant and key, kept across batches (they last an hour)."""

    tokens: dict[tuple[int, str], tuple[str, float]] = field(default_factory=dict)

    def get(self, merchant_id: int, credentials: GoogleCredentials) -> str | None:
        found = self.tokens.get((merchant_id, credentials.service_account_email))
        return found[0] if found and found[1] > time.time() else None

    def put(self, merchant_id: int, credentials: GoogleCredentials, token: str, lifetime: int) -> None:
        self.tokens[(merchant_id, credentials.service_account_email)] = (
            token,
            time.time() + lifetime - EARLY,
        )

    def drop(self, merchant_id: int, credentials: GoogleCredentials) -> None:
        self.tokens.pop((merchant_id, credentials.service_account_email), None)


def assertion(credentials: GoogleCredentials, token_url: str, issued_at: int) -> str:
    claims = {
        "iss": credentials.service_account_email,
        "scope": SCOPE,
        "aud": token_url,
        "iat": issued_at,
        "exp": issued_at + ASSERTION_LIFETIME,
    }
    headers = {"kid": credentials.private_key_id} if credentials.private_key_id else None
    return jwt.encode(claims, credentials.private_key, algorithm="RS256", headers=headers)


def _checked(answer: httpx.Response, what: str) -> httpx.Response:
    if answer.status_code in RETRIED or answer.status_code >= 500:
        raise GoogleUnavailable(f"{what}: Google answered {answer.status_code}")
    if answer.status_code >= 400:
        raise PushRefused(f"{what}: Google answered {answer.status_code} {answer.text[:500]}")
    return answer


class GoogleWalletSender:
    """One HTTP connection for a batch; the credentials and the class read once per batch."""

    def __init__(self, core: Core, tokens: TokenCache) -> None:
        self._core, self._tokens = core, tokens
        self._client = httpx.Client(base_url=core.settings.google_api_url, timeout=TIMEOUT)
        self._credentials: dict[int, GoogleCredentials | None] = {}
        self._classes: set[int] = set()

    def _merchant(self, merchant_id: int) -> GoogleCredentials:
        if merchant_id not in self._credentials:
            with self._core.db.read() as session:
                row = find_settings(session, merchant_id)
                self._credentials[merchant_id] = opened(row, self._core.wallet_keys) if row else None
        credentials = self._credentials[merchant_id]
        if credentials is None:
            raise PushRefused("The merchant's Google credentials were removed.")
        return credentials

    def _token(self, merchant_id: int, credentials: GoogleCredentials) -> str:
        token = self._tokens.get(merchant_id, credentials)
        if token is not None:
            return token
        url = self._core.settings.google_token_url
        form = {"grant_type": GRANT, "assertion": assertion(credentials, url, int(time.time()))}
        body = _checked(self._client.post(url, data=form), "token").json()
        self._tokens.put(
            merchant_id, credentials, str(body["access_token"]), int(body.get("expires_in", 3600))
        )
        return str(body["access_token"])

    def _call(self, merchant_id: int, method: str, path: str, body: dict[str, object]) -> httpx.Response:
        credentials = self._merchant(merchant_id)
        headers = {"Authorization": f"Bearer {self._token(merchant_id, credentials)}"}
        answer = self._client.request(method, f"{BASE}{path}", json=body, headers=headers)
        if answer.status_code == 401:  # revoked or expired early: a new token next time
            self._tokens.drop(merchant_id, credentials)
            raise GoogleUnavailable(f"{method} {path}: Google answered 401")
        return answer

    def _upsert(self, merchant_id: int, kind: str, body: dict[str, object]) -> None:
        """PATCH the resource; insert it when Google has none."""
        resource = f"/{kind}/{quote(str(body['id']), safe='')}"
        answer = self._call(merchant_id, "PATCH", resource, body)
        if answer.status_code == 404:
            answer = self._call(merchant_id, "POST", f"/{kind}", body)
        _checked(answer, f"{kind} {body['id']}")

    def _ensure_class(self, merchant_id: int) -> None:
        if merchant_id in self._classes:
            return
        wanted = class_to_write(self._core.db, merchant_id, self._core.settings.site_url, pass_labels)
        if wanted is None:
            raise PushRefused("The merchant's Google credentials were removed.")
        if not wanted.written:
            self._upsert(merchant_id, "loyaltyClass", wanted.body)
            class_written(self._core.db, merchant_id, wanted.digest)
        self._classes.add(merchant_id)

    def __call__(self, push: DuePush) -> None:
        assert push.google_object_id is not None
        now = utcnow()
        self._ensure_class(push.merchant_id)
        found = object_to_send(self._core.db, push.google_object_id, pass_labels, now)
        if found is None:
            raise PushRefused("The merchant's Google credentials were removed.")
        body = {**found.body, "notifyPreference": "notifyOnUpdate"} if found.notify else found.body
        self._upsert(push.merchant_id, "loyaltyObject", body)
        if found.notify:
            notified(self._core.db, push.google_object_id, now)

    def close(self) -> None:
        self._client.close()


@contextmanager
def google_sender(core: Core, tokens: TokenCache) -> Iterator[GoogleWalletSender]:
    sender = GoogleWalletSender(core, tokens)
    try:
        yield sender
    finally:
        sender.close()
