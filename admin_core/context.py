"""The core's per-app objects, created by the factory and found by views and commands."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_mail import Mail
from passlib.context import CryptContext

from .database import Database
from .services.mail_seal import MailSeal
from .services.wallet_keys import WalletKeys
from .settings import CoreSettings

EXTENSION = "loyalty_core"
# Set by the in-process transport only: no HTTP request can put a non-header key in the environ.
TRUSTED_SITE_ENVIRON = "loyalty_core.trusted_site"


@dataclass
class Core:
    db: Database
    settings: CoreSettings
    passwords: CryptContext
    mail: Mail
    mail_seal: MailSeal
    wallet_keys: WalletKeys


def current_core() -> Core:
    core: Core = current_app.extensions[EXTENSION]
    return core
