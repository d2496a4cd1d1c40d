"""A locally made Google service account key, in the JSON form Google's console hands out: for the
demo and the tests only (Google knows nothing of it)."""

from __future__ import annotations

import json
import secrets

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

TOKEN_URI = "https://oauth2.googleapis.com/token"


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
