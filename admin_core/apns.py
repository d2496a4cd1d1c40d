"""Pushes to Apple Push Notification service for `core send-pushes`: HTTP/2 `POST
/3/device/<pushToken>` with `apns-topic` = the merchant's pass type id and an empty JSON body,
authenticated by an ES256 provider token from the merchant's .p8 key, or else by the Pass Type ID
certificate as the TLS client certificate. WALLET_APNS_URL says where APNs is."""

from __future__ import annotations

import base64
import json
import os
import socket
import ssl
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from .context import Core
from .services.wallet_credentials import ApnsKey, AppleCredentials, find_settings, opened
from .services.wallet_push import DeviceGone, DuePush, PushRefused

TOKEN_LIFETIME = 30 * 60  # APNs wants a provider token renewed after 20 and before 60 minutes
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
GONE_REASONS = {"BadDeviceToken", "DeviceTokenNotForTopic", "Unregistered"}
RETRIED = {403, 429}  # an expired provider token is made again; too many requests waits


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def provider_token(apns: ApnsKey, issued_at: int) -> str:
    """The JWT APNs takes as `authorization: bearer …`: ES256, the key id, the team, the time."""
    header = _b64url(json.dumps({"alg": "ES256", "kid": apns.key_id}).encode())
    claims = _b64url(json.dumps({"iss": apns.team_id, "iat": issued_at}).encode())
    r, s = decode_dss_signature(apns.key.sign(f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256())))
    return f"{header}.{claims}.{_b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def _client_certificate(credentials: AppleCredentials) -> ssl.SSLContext:
    """The Pass Type ID certificate and key as the TLS client's (ssl reads them only from files:
    written for the moment, readable by this user alone, removed at once)."""
    context = ssl.create_default_context()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "pass.pem")
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(credentials.certificate.public_bytes(serialization.Encoding.PEM))
            out.write(
                credentials.private_key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
        context.load_cert_chain(path)
    return context


@dataclass
class _Merchant:
    topic: str
    client: httpx.Client
    apns: ApnsKey | None
    token: str = ""
    issued_at: int = field(default=0)

    def headers(self) -> dict[str, str]:
        headers = {"apns-topic": self.topic, "content-type": "application/json"}
        if self.apns is not None:
            now = int(time.time())
            if now - self.issued_at >= TOKEN_LIFETIME:
                self.token, self.issued_at = provider_token(self.apns, now), now
            headers["authorization"] = f"bearer {self.token}"
        return headers


class ApnsSender:
    """One HTTP/2 connection per merchant for a batch; the credentials read once per batch."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self._merchants: dict[int, _Merchant | None] = {}

    def _merchant(self, merchant_id: int) -> _Merchant | None:
        if merchant_id not in self._merchants:
            with self._core.db.read() as session:
                row = find_settings(session, merchant_id)
                credentials = opened(row, self._core.wallet_keys) if row else None
            self._merchants[merchant_id] = None if credentials is None else self._connect(credentials)
        return self._merchants[merchant_id]

    def _connect(self, credentials: AppleCredentials) -> _Merchant:
        tls: ssl.SSLContext | bool = True if credentials.apns else _client_certificate(credentials)
        transport = httpx.HTTPTransport(
            http1=False, http2=True, verify=tls, socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
        )  # a push is small frames written one after the other: Nagle would hold each back
        client = httpx.Client(base_url=self._core.settings.apns_url, timeout=TIMEOUT, transport=transport)
        return _Merchant(credentials.pass_type_id, client, credentials.apns)

    def __call__(self, push: DuePush) -> None:
        merchant = self._merchant(push.merchant_id)
        if merchant is None:
            raise PushRefused("The merchant's Apple credentials were removed.")
        answer = merchant.client.post(
            f"/3/device/{push.push_token}", content=b"{}", headers=merchant.headers()
        )
        if answer.status_code == 200:
            return
        reason = _reason(answer)
        if answer.status_code == 410 or reason in GONE_REASONS:
            raise DeviceGone(reason)
        if answer.status_code in RETRIED or answer.status_code >= 500:
            if reason == "ExpiredProviderToken":
                merchant.issued_at = 0
            raise RuntimeError(f"APNs answered {answer.status_code} {reason}")
        raise PushRefused(f"APNs answered {answer.status_code} {reason}")

    def close(self) -> None:
        for merchant in self._merchants.values():
            if merchant is not None:
                merchant.client.close()


def _reason(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return ""
    return str(body.get("reason", "")) if isinstance(body, dict) else ""


@contextmanager
def apns_sender(core: Core) -> Iterator[ApnsSender]:
    sender = ApnsSender(core)
    try:
        yield sender
    finally:
        sender.close()
