"""A merchant's portal: on or off, its look, its languages, where it may be embedded, and the program
rules it shows."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import list_currencies
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from loyalty_common.rules import LOCALES

from ..database import Database
from ..errors import Invalid
from ..models import Card, Merchant, Operation
from .merchants import get_merchant_by_id

COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
MIN_CONTRAST = 4.5  # WCAG AA for text: the accent colour carries buttons' and the header's text
PAGE = "#ffffff"  # links are written in the accent colour on it
MAX_ORIGINS = 20
MAX_HEADER = 500
MAX_FOOTER = 1000
# (lowest, highest) of the program's numbers
POINTS_PER_UNIT = (0, 1000)
VALIDITY_MONTHS = (0, 120)  # 0: points never expire
TIER_PERIOD_MONTHS = (1, 60)


@dataclass(frozen=True)
class PortalSettings:
    """What to change; None leaves a setting as it is. An empty URL removes it."""

    portal_enabled: bool | None = None
    header_text: str | None = None
    footer_text: str | None = None
    accent_color: str | None = None
    accent_text_color: str | None = None
    default_locale: str | None = None
    offered_locales: list[str] | None = None
    timezone: str | None = None
    currency: str | None = None
    embed_origins: list[str] | None = None
    points_per_unit: int | None = None
    points_validity_months: int | None = None  # 0: points never expire
    tier_period_months: int | None = None
    terms_url: str | None = None
    privacy_url: str | None = None
    staff_2fa_required: bool | None = None


def _luminance(color: str) -> float:
    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(color[index : index + 2]) for index in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two #rrggbb colours, 1 to 21."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def origin(raw: str) -> str:
    """A web origin as browsers write it (scheme://host[:port], lower case), or Invalid. Plain http
    only on this machine (development, tests): any other site frames the portal over https."""
    parts = urlsplit(raw.strip())
    host = (parts.hostname or "").lower()
    secure = parts.scheme == "https" or (parts.scheme == "http" and _loopback(host))
    extra = parts.path not in ("", "/") or parts.query or parts.fragment or parts.username
    if not host or not secure or extra:
        raise Invalid("invalid_origin", f"'{raw}' is not an origin like https://www.example.com.")
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{f'[{host}]' if ':' in host else host}{port}"


def _url(raw: str, code: str) -> str | None:
    value = raw.strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(value) > 500:
        raise Invalid(code, "A web address starting with https://, up to 500 characters.")
    return value


def _range(value: int | None, low: int, high: int, code: str, what: str) -> None:
    if value is not None and not low <= value <= high:
        raise Invalid(code, f"{what} is {low}-{high}.")


def checked(current: Merchant, changes: PortalSettings) -> dict[str, Any]:
    """The columns to set, or Invalid with the first broken rule."""
    given = {field.name: getattr(changes, field.name) for field in fields(changes)}
    values = {name: value for name, value in given.items() if value is not None}
    for name, limit in (("header_text", MAX_HEADER), ("footer_text", MAX_FOOTER)):
        if name in values:
            values[name] = values[name].strip()
            if len(values[name]) > limit:
                raise Invalid(f"invalid_{name}", f"At most {limit} characters.")
    for name in ("accent_color", "accent_text_color"):
        if name in values:
            if not COLOR.match(values[name]):
                raise Invalid("invalid_color", "A colour is written #rrggbb.")
            values[name] = values[name].lower()
    accent = values.get("accent_color", current.accent_color)
    ink = values.get("accent_text_color", current.accent_text_color)
    if contrast(accent, PAGE) < MIN_CONTRAST:
        raise Invalid("low_contrast", "Links in the accent colour must stay readable on the page's white.")
    if contrast(accent, ink) < MIN_CONTRAST:
        raise Invalid(
            "low_contrast", f"Text on the accent colour needs a contrast of {MIN_CONTRAST}:1 or more."
        )
    if "offered_locales" in values:
        offered = [locale for locale in LOCALES if locale in values["offered_locales"]]
        if not offered or len(offered) != len(set(values["offered_locales"])):
            raise Invalid("invalid_locales", f"Offer one or more of {', '.join(LOCALES)}.")
        values["offered_locales"] = ",".join(offered)
    offered_now = str(values.get("offered_locales", current.offered_locales)).split(",")
    if values.get("default_locale", current.default_locale) not in offered_now:
        raise Invalid("invalid_default_locale", "The default language must be one of those offered.")
    if "timezone" in values:
        try:
            ZoneInfo(values["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise Invalid("invalid_timezone", "A time zone such as Europe/Rome.") from None
    if "currency" in values:
        values["currency"] = values["currency"].upper()
        if values["currency"] not in list_currencies():
            raise Invalid("invalid_currency", "A currency code such as EUR.")
    if "embed_origins" in values:
        origins = list(dict.fromkeys(origin(each) for each in values["embed_origins"] if each.strip()))
        if len(origins) > MAX_ORIGINS:
            raise Invalid("too_many_origins", f"At most {MAX_ORIGINS} origins.")
        values["embed_origins"] = origins
    _range(
        values.get("points_per_unit"), *POINTS_PER_UNIT, "invalid_points_per_unit", "Points per currency unit"
    )
    _range(
        values.get("points_validity_months"),
        *VALIDITY_MONTHS,
        "invalid_validity",
        "Months points stay valid (0: always)",
    )
    _range(
        values.get("tier_period_months"),
        *TIER_PERIOD_MONTHS,
        "invalid_tier_period",
        "Months counted for tiers",
    )
    if values.get("points_validity_months") == 0:
        values["points_validity_months"] = None
    for name in ("terms_url", "privacy_url"):
        if name in values:
            values[name] = _url(values[name], f"invalid_{name}")
    return values


CURRENCY_IN_USE = "Cards have balances and operations in this currency already: it cannot change."


def _amounts_recorded(session: Session, merchant_id: int) -> bool:
    """Whether any card has an operation, or a balance of money (an import's, without one)."""
    cards = select(Card.id).where(Card.merchant_id == merchant_id)
    operated = exists(select(Operation.id).join(Card).where(Card.merchant_id == merchant_id))
    holding = exists(cards.where(or_(Card.credit != 0, Card.discount != 0)))
    return bool(session.scalar(select(or_(operated, holding))))


def update_portal_settings(db: Database, merchant_id: int, changes: PortalSettings) -> Merchant:
    """Changes the settings, all or none. The currency is refused (not converted) once cards have
    amounts in it: a conversion needs a rate and rounding for every balance and every past line,
    whose receipts were in the old currency; a program that changes currency starts anew."""
    with db.write() as session:
        merchant = get_merchant_by_id(session, merchant_id, for_update=True)
        values = checked(merchant, changes)
        changing_currency = values.get("currency", merchant.currency) != merchant.currency
        if changing_currency and _amounts_recorded(session, merchant_id):
            raise Invalid("currency_in_use", CURRENCY_IN_USE)
        for name, value in values.items():
            setattr(merchant, name, value)
    return merchant
