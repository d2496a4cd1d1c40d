"""The core's per-app objects, created by the factory and found by views and commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_mail import Mail
from passlib.context import CryptContext

from loyalty_common.controller_addresses import Networks

from .database import Database
from .services.mail_seal import MailSeal
from .services.wallet_keys import WalletKeys

EXTENSION = "loyalty_core"
# Set by the in-process transport only: no HTTP request can put a non-header key in the environ.
TRUSTED_SITE_ENVIRON = "loyalty_core.trusted_site"


@dataclass
class Core:
    db: Database
    passwords: CryptContext
    activation_max_age: timedelta
    mail: Mail
    mail_seal: MailSeal
    wallet_keys: WalletKeys
    reset_max_age: timedelta = timedelta(hours=1)
    email_change_max_age: timedelta = timedelta(hours=24)
    # Non-public networks where hotspot controllers may be (WIFI_CONTROLLER_NETWORKS).
    controller_networks: Networks = ()
    # Where APNs is (WALLET_APNS_URL): Apple's production host, or a test's stand-in.
    apns_url: str = "https://api.push.apple.com"
    # Where the Google Wallet REST API and the OAuth2 token endpoint are (WALLET_GOOGLE_API_URL,
    # WALLET_GOOGLE_TOKEN_URL): Google's, or a test's stand-in.
    google_api_url: str = "https://walletobjects.googleapis.com"
    google_token_url: str = "https://oauth2.googleapis.com/token"
    # The site's public root (SITE_URL): the Google class's logo and links, written by send-pushes.
    site_url: str = "http://localhost"


def current_core() -> Core:
    core: Core = current_app.extensions[EXTENSION]
    return core
