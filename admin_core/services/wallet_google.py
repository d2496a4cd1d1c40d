"""A card in Google Wallet: the merchant's loyalty class and the card's loyalty object as the Wallet
API takes them, and the "save" link, a JWT signed with the merchant's service account that
holds both. The object's id is the issuer's and a random serial made on the card's first save,
never the card number."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from urllib.parse import urlsplit

import jwt
from babel.numbers import get_currency_precision
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..models import Card, GoogleWalletObject, Merchant
from . import found_or_added, utcnow
from .cards import get_card
from .program import tier_progress
from .wallet_google_credentials import GoogleCredentials, find_settings, opened
from .wallet_keys import WalletKeys

SAVE_URL = "https://pay.google.com/gp/v/save/"
Labels = Callable[[str], dict[str, dict[str, str]]]  # merchant name → locale → key → text
FALLBACK_LOGO = "/static/icons/icon-192.png"  # the site's own icon, where the merchant has no logo


def class_id(issuer_id: str, merchant: Merchant) -> str:
    """The merchant's loyalty class: one per merchant, named by its id, which never changes."""
    return f"{issuer_id}.loyalty_{merchant.id}"


def object_id(issuer_id: str, google_object: GoogleWalletObject) -> str:
    return f"{issuer_id}.{google_object.serial}"


def _localized(labels: dict[str, dict[str, str]], key: str, default: str) -> dict[str, object]:
    """A LocalizedString: the merchant's default language, and every other language the portal has."""
    first = labels.get(default) or next(iter(labels.values()))
    return {
        "defaultValue": {"language": default, "value": first[key]},
        "translatedValues": [
            {"language": locale, "value": texts[key]} for locale, texts in labels.items() if locale != default
        ],
    }


def loyalty_class(merchant: Merchant, issuer_id: str, site_root: str, labels: Labels) -> dict[str, object]:
    texts = labels(merchant.name)
    logo = (
        f"{site_root}/logo/{merchant.slug}?v={merchant.logo_digest[:12]}"
        if merchant.logo_digest
        else f"{site_root}{FALLBACK_LOGO}"
    )
    return {
        "id": class_id(issuer_id, merchant),
        "issuerName": merchant.name,
        "programName": merchant.name,
        "programLogo": {
            "sourceUri": {"uri": logo},
            "contentDescription": _localized(texts, "description", merchant.default_locale),
        },
        "hexBackgroundColor": merchant.accent_color,
        "reviewStatus": "UNDER_REVIEW",
        "multipleDevicesAndHoldersAllowedStatus": "ONE_USER_ALL_DEVICES",
        "linksModuleData": {
            "uris": [
                {
                    "id": key,
                    "uri": f"{site_root}/p/{merchant.slug}/{path}",
                    "localizedDescription": _localized(texts, key, merchant.default_locale),
                }
                for key, path in (("portal", ""), ("rules", "rules"))
            ]
        },
    }


def loyalty_object(
    session: Session,
    merchant: Merchant,
    issuer_id: str,
    google_object: GoogleWalletObject,
    labels: Labels,
    now: datetime | None = None,
) -> dict[str, object]:
    """What the object shows now: the card's number (its barcode too), holder, points, credit and
    tier. A blocked card's object is inactive."""
    card = google_object.card
    tier = tier_progress(session, merchant, card, now or utcnow())
    texts = labels(merchant.name)
    customer = card.customer
    credit = Decimal(card.credit).scaleb(-get_currency_precision(merchant.currency))
    body: dict[str, object] = {
        "id": object_id(issuer_id, google_object),
        "classId": class_id(issuer_id, merchant),
        "state": "INACTIVE" if google_object.card.blocked_at else "ACTIVE",
        "accountId": card.number,
        "accountName": f"{customer.first_name} {customer.last_name}".strip() or card.number,
        "loyaltyPoints": {
            "localizedLabel": _localized(texts, "points", merchant.default_locale),
            "balance": {"int": card.points},
        },
        "secondaryLoyaltyPoints": {
            "localizedLabel": _localized(texts, "credit", merchant.default_locale),
            "balance": {"money": {"micros": int(credit * 1_000_000), "currencyCode": merchant.currency}},
        },
        # The tills scan the card page's Code 128: the same symbology and message.
        "barcode": {"type": "CODE_128", "value": card.number, "alternateText": card.number},
    }
    if tier is not None and tier.current:
        body["textModulesData"] = [
            {
                "id": "tier",
                "localizedHeader": _localized(texts, "tier", merchant.default_locale),
                "body": tier.current,
            }
        ]
    return body


def _ensure_object(session: Session, card: Card, now: datetime) -> GoogleWalletObject:
    """The card's object; the same card's first save in another tab, at the same moment, makes one."""
    return found_or_added(
        session,
        select(GoogleWalletObject).where(GoogleWalletObject.card_id == card.id),
        lambda: GoogleWalletObject(
            card_id=card.id, serial=secrets.token_hex(16), notified_at=[], created_at=now
        ),
    )


def merchant_credentials(session: Session, merchant_id: int, keys: WalletKeys) -> GoogleCredentials:
    row = find_settings(session, merchant_id)
    if row is None:
        raise NotFound("wallet_not_offered", "This merchant offers no Google Wallet card.")
    return opened(row, keys)


def origins(site_root: str, merchant: Merchant) -> list[str]:
    """Where a save button may be: the site, and the merchant's pages the portal is embedded in."""
    parts = urlsplit(site_root)
    return list(dict.fromkeys([f"{parts.scheme}://{parts.netloc}", *merchant.embed_origins]))


def save_jwt(
    credentials: GoogleCredentials,
    loyalty_class_body: dict[str, object],
    loyalty_object_body: dict[str, object],
    site_origins: list[str],
    now: datetime,
) -> str:
    claims = {
        "iss": credentials.service_account_email,
        "aud": "google",
        "typ": "savetowallet",
        "iat": int(now.timestamp()),
        "origins": site_origins,
        "payload": {"loyaltyClasses": [loyalty_class_body], "loyaltyObjects": [loyalty_object_body]},
    }
    headers = {"kid": credentials.private_key_id} if credentials.private_key_id else None
    return jwt.encode(claims, credentials.private_key, algorithm="RS256", headers=headers)


def save_url(
    session: Session,
    merchant: Merchant,
    number: str,
    keys: WalletKeys,
    site_root: str,
    labels: Labels,
    now: datetime | None = None,
) -> str:
    """The logged-in customer's "save to Google Wallet" link, inside the caller's write
    transaction (the object row is made on the first one)."""
    now = now or utcnow()
    credentials = merchant_credentials(session, merchant.id, keys)  # first: no object without them
    google_object = _ensure_object(session, get_card(session, merchant.id, number), now)
    token = save_jwt(
        credentials,
        loyalty_class(merchant, credentials.issuer_id, site_root, labels),
        loyalty_object(session, merchant, credentials.issuer_id, google_object, labels, now),
        origins(site_root, merchant),
        now,
    )
    return SAVE_URL + token
