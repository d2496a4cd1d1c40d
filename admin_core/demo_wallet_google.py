"""A locally made Google service account key, in the JSON form Google's console hands out, and the
demo merchant's Google Wallet set up with it: for the demo and the tests only (Google knows
nothing of it)."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .context import Core
from .services.merchants import get_merchant
from .services.wallet_google_credentials import check_upload, find_settings, save_credentials

TOKEN_URI = "https://oauth2.googleapis.com/token"
DEMO_ACCOUNT = "wallet@loyalty-demo.iam.gserviceaccount.com"


def service_account_file(email: str, key: rsa.RSAPrivateKey | None = None) -> tuple[bytes, rsa.RSAPrivateKey]:
    """(the JSON key file, its private key)."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    project = email.partition("@")[2].partition(".")[0]
    body = {
        "type": "service_account",
        "project_id": project,
        "private_key_id": secrets.token_hex(20),
        "private_key": pem,
        "client_email": email,
        "client_id": str(secrets.randbelow(10**20)),
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": TOKEN_URI,
    }
    return json.dumps(body, indent=2).encode(), key


DEMO_ISSUER = "3388000000000000001"


def ensure_demo_google_wallet(core: Core, merchant_slug: str, key_file: Path) -> dict[str, str]:
    """The demo merchant offers Google Wallet with a service account key made here (kept in
    `key_file`, readable by this user alone, made when missing): its public key verifies the save
    links' JWTs; Google knows nothing of it. Idempotent."""
    if not key_file.exists():
        data, _key = service_account_file(DEMO_ACCOUNT)
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
    credentials = check_upload(DEMO_ISSUER, key_file.read_bytes())
    with core.db.read() as session:
        merchant_id = get_merchant(session, merchant_slug).id
        current = find_settings(session, merchant_id)
        same = current is not None and current.private_key_id == credentials.private_key_id
    if not same:
        save_credentials(core.db, core.wallet_keys, merchant_id, credentials)
    return {"issuer_id": DEMO_ISSUER, "service_account_file": str(key_file)}
