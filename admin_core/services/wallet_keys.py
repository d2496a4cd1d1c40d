"""The wallet's secrets at rest and the passes' tokens, both from one key: FLASK_WALLET_KEY, or the
core's SECRET_KEY when it is not set. Changing it makes the stored credentials unreadable (upload
them again) and every pass already in a wallet refused by the web service (its token no longer
matches): set FLASK_WALLET_KEY once, so that SECRET_KEY may be rotated on its own."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .mail_seal import MailSeal, UnreadableMail

SEAL_PURPOSE = b"loyalty-portal wallet credentials"
TOKEN_PURPOSE = b"loyalty-portal wallet pass tokens"

__all__ = ["UnreadableMail", "WalletKeys"]


class WalletKeys:
    def __init__(self, secret_key: str | bytes) -> None:
        secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
        self.seal = MailSeal(secret, purpose=SEAL_PURPOSE)
        self._tokens = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=TOKEN_PURPOSE).derive(
            secret
        )

    def pass_token(self, serial: str) -> str:
        """The pass's `authenticationToken`: derived, so nothing that opens the web service is
        stored, and the same in every copy of the pass."""
        return hmac.new(self._tokens, serial.encode(), hashlib.sha256).hexdigest()

    def token_matches(self, serial: str, token: str) -> bool:
        return hmac.compare_digest(self.pass_token(serial), token)
