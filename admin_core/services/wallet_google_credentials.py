"""A merchant's Google Wallet credentials: the issuer id and the service account's JSON key file,
checked on upload (each refusal with its own code), stored with the private key sealed, read back
for signing, shown masked. The key file's `token_uri` is not kept: the core asks for tokens only
where its settings say (WALLET_GOOGLE_TOKEN_URL), never at an address an upload names."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import delete
from sqlalchemy.orm import Session

from ..database import Database
from ..errors import Invalid, NotFound
from ..models import GoogleWalletSettings
from . import utcnow
from .wallet_credentials import MASK, MAX_FILE
from .wallet_keys import UnreadableMail, WalletKeys

ISSUER_ID = re.compile(r"^[0-9]{6,25}$")
SERVICE_ACCOUNT_EMAIL = re.compile(r"^[A-Za-z0-9._-]{1,200}@[A-Za-z0-9.-]{1,100}$")
PRIVATE_KEY_ID = re.compile(r"^[A-Za-z0-9]{1,64}$")


@dataclass(frozen=True)
class GoogleCredentials:
    issuer_id: str
    service_account_email: str
    private_key_id: str | None
    private_key: rsa.RSAPrivateKey


def _refuse(code: str, message: str) -> Invalid:
    return Invalid(code, message)


def _key(pem: str, *, checked: bool = False) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(pem.encode(), None, unsafe_skip_rsa_key_validation=checked)
    except (ValueError, TypeError):
        raise _refuse(
            "service_account_key_unreadable",
            "The service account's private_key is not a readable, unencrypted PEM key.",
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise _refuse("service_account_key_unreadable", "The service account's key must be an RSA key.")
    return key


def _account(data: bytes) -> dict[str, object]:
    if len(data) > MAX_FILE:
        raise _refuse("malformed_service_account", "This file is too large to be a service account key.")
    try:
        account = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _refuse("malformed_service_account", "This file is not JSON.") from None
    if not isinstance(account, dict) or account.get("type") != "service_account":
        raise _refuse(
            "not_service_account",
            "This JSON is not a service account key (its type must be service_account).",
        )
    return account


def check_upload(issuer_id: str, service_account: bytes | None) -> GoogleCredentials:
    """The credentials, once every check passes; else Invalid with the first broken rule's code."""
    if not ISSUER_ID.match(issuer_id):
        raise _refuse(
            "invalid_issuer_id", "An issuer id is the number the Google Pay & Wallet Console shows."
        )
    if not service_account:
        raise _refuse("service_account_required", "Send the service account's JSON key file.")
    account = _account(service_account)
    email, key, key_id = (
        account.get("client_email"),
        account.get("private_key"),
        account.get("private_key_id"),
    )
    if not isinstance(email, str) or not SERVICE_ACCOUNT_EMAIL.match(email):
        raise _refuse("not_service_account", "This service account key names no client_email.")
    if not isinstance(key, str):
        raise _refuse("service_account_key_unreadable", "This service account key holds no private_key.")
    if key_id is not None and not (isinstance(key_id, str) and PRIVATE_KEY_ID.match(key_id)):
        raise _refuse("not_service_account", "This service account key's private_key_id is not an id.")
    return GoogleCredentials(issuer_id, email, key_id, _key(key))


def _pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def save_credentials(
    db: Database,
    keys: WalletKeys,
    merchant_id: int,
    credentials: GoogleCredentials,
    now: datetime | None = None,
) -> GoogleWalletSettings:
    """Store (or replace) the merchant's credentials, the key sealed; the class is written to
    Google again with the next patch."""
    with db.write() as session:
        row = session.get(GoogleWalletSettings, merchant_id) or GoogleWalletSettings(merchant_id=merchant_id)
        row.issuer_id = credentials.issuer_id
        row.service_account_email = credentials.service_account_email
        row.private_key_id = credentials.private_key_id
        row.private_key = keys.seal.seal(_pem(credentials.private_key))
        row.class_digest = None
        row.updated_at = now or utcnow()
        session.add(row)
        return row


def remove_credentials(db: Database, merchant_id: int) -> None:
    with db.write() as session:
        session.execute(delete(GoogleWalletSettings).where(GoogleWalletSettings.merchant_id == merchant_id))


def find_settings(session: Session, merchant_id: int) -> GoogleWalletSettings | None:
    return session.get(GoogleWalletSettings, merchant_id)


def opened(row: GoogleWalletSettings, keys: WalletKeys) -> GoogleCredentials:
    """The stored credentials, ready to sign; NotFound when they were sealed under another key."""
    try:
        pem = keys.seal.open(row.private_key)
    except UnreadableMail:
        raise NotFound(
            "wallet_credentials_unreadable",
            "The Google credentials were stored under another wallet key: upload them again.",
        ) from None
    return GoogleCredentials(
        row.issuer_id, row.service_account_email, row.private_key_id, _key(pem, checked=True)
    )


def summary(row: GoogleWalletSettings | None) -> dict[str, object]:
    """What may be shown again: the issuer and the account; the key only as set."""
    if row is None:
        return {"configured": False}
    return {
        "configured": True,
        "issuer_id": row.issuer_id,
        "service_account_email": row.service_account_email,
        "private_key_id": row.private_key_id,
        "private_key": MASK,
        "updated_at": row.updated_at,
    }
