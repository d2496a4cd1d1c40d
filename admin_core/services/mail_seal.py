"""Mail bodies at rest. A queued message holds one-time links (activation, password reset, e-mail
change): its bodies are stored sealed (Fernet: AES-CBC with an HMAC) under a key derived from the
app's SECRET_KEY, so a reader of the database alone (a backup, a replica, a support query) holds no
working link; once delivered or given up, the bodies are erased (mail_queue)."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PURPOSE = b"loyalty-portal outbound mail bodies"


class UnreadableMail(Exception):
    """Sealed under another key (SECRET_KEY changed since it was queued), or altered."""


class MailSeal:
    """`purpose`: what is sealed; each purpose has a key of its own (the wallet's credentials too)."""

    def __init__(self, secret_key: str | bytes, purpose: bytes = PURPOSE) -> None:
        secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret)
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, body: str) -> str:
        return self._fernet.encrypt(body.encode()).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode()
        except (InvalidToken, UnicodeError) as error:
            raise UnreadableMail("Sealed under another SECRET_KEY, or altered.") from error
