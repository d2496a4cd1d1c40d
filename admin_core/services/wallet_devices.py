"""Apple's PassKit web service, the core's half: the devices that registered a pass, the serials
updated since a device last asked, and the latest pass. A pass is found by its type and serial
(unknown: NotFound) and opened by its token (wrong: Unauthorized)."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import Invalid, NotFound, Unauthorized
from ..models import Card, Merchant, WalletPass, WalletPush, WalletRegistration, WalletSettings
from . import utcnow
from .wallet_keys import WalletKeys

DEVICE = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
PUSH_TOKEN = re.compile(r"^[0-9A-Fa-f]{8,200}$")
# A change whose transaction began before a device's listing but committed after it has an
# earlier time than the listing's: the tag looks back this far, so the next listing still has it.
LATE_COMMITS = timedelta(seconds=10)


def _check_device(device: str) -> None:
    if not DEVICE.match(device):
        raise Invalid(
            "invalid_device", "A device library identifier is 1-128 letters, digits, '.', '_' or '-'."
        )


def find_pass(session: Session, pass_type: str, serial: str) -> tuple[WalletPass, Merchant]:
    """The pass of this serial, at the merchant whose pass type it is."""
    found = session.execute(
        select(WalletPass, Merchant)
        .join(Card, Card.id == WalletPass.card_id)
        .join(Merchant, Merchant.id == Card.merchant_id)
        .join(WalletSettings, WalletSettings.merchant_id == Merchant.id)
        .where(WalletPass.serial == serial, WalletSettings.pass_type_id == pass_type)
    ).first()
    if found is None:
        raise NotFound("pass_not_found", "No pass of this type has this serial number.")
    return found[0], found[1]


def authenticated_pass(
    session: Session, keys: WalletKeys, pass_type: str, serial: str, token: str | None
) -> tuple[WalletPass, Merchant]:
    wallet_pass, merchant = find_pass(session, pass_type, serial)
    if not token or not keys.token_matches(serial, token):
        raise Unauthorized("invalid_pass_token", "This is not the pass's authentication token.")
    return wallet_pass, merchant


def register_device(
    session: Session, wallet_pass: WalletPass, device: str, push_token: str, now: datetime | None = None
) -> bool:
    """True when the device is new for this pass; a repeat (with a new push token or not) is not."""
    _check_device(device)
    if not PUSH_TOKEN.match(push_token):
        raise Invalid("invalid_push_token", "A push token is 8-200 hexadecimal digits.")
    query = select(WalletRegistration).where(
        WalletRegistration.pass_id == wallet_pass.id, WalletRegistration.device_id == device
    )
    found = session.scalar(query)
    if found is None:
        try:
            with session.begin_nested():
                session.add(
                    WalletRegistration(
                        pass_id=wallet_pass.id,
                        device_id=device,
                        push_token=push_token,
                        created_at=now or utcnow(),
                    )
                )
            return True
        except IntegrityError:  # the same registration sent twice at once
            found = session.scalars(query).one()
    found.push_token = push_token
    return False


def unregister_device(session: Session, wallet_pass: WalletPass, device: str) -> None:
    """Nothing to do for a device that was not registered (a repeat): the same answer."""
    _check_device(device)
    registrations = select(WalletRegistration.id).where(
        WalletRegistration.pass_id == wallet_pass.id, WalletRegistration.device_id == device
    )
    session.execute(delete(WalletPush).where(WalletPush.registration_id.in_(registrations)))
    session.execute(
        delete(WalletRegistration).where(
            WalletRegistration.pass_id == wallet_pass.id, WalletRegistration.device_id == device
        )
    )


def tag_of(moment: datetime) -> str:
    return str(int(moment.timestamp() * 1_000_000))


def _moment(tag: str) -> datetime:
    try:
        return datetime.fromtimestamp(int(tag) / 1_000_000, UTC)
    except (ValueError, OverflowError, OSError):
        raise Invalid("invalid_tag", "passesUpdatedSince is a tag this service gave.") from None


def updated_serials(
    session: Session, device: str, pass_type: str, since: str | None, now: datetime | None = None
) -> tuple[list[str], str]:
    """The serials of this type registered on the device and changed since the tag (all of them
    without one), and the tag to send next time."""
    _check_device(device)
    query = (
        select(WalletPass.serial)
        .join(WalletRegistration, WalletRegistration.pass_id == WalletPass.id)
        .join(Card, Card.id == WalletPass.card_id)
        .join(WalletSettings, WalletSettings.merchant_id == Card.merchant_id)
        .where(WalletRegistration.device_id == device, WalletSettings.pass_type_id == pass_type)
        .order_by(WalletPass.serial)
    )
    if since:
        query = query.where(WalletPass.updated_at > _moment(since))
    return list(session.scalars(query)), tag_of((now or utcnow()) - LATE_COMMITS)


def last_modified_second(wallet_pass: WalletPass) -> datetime:
    """Last-Modified has whole seconds: every change moves the pass to a later second (touch)."""
    return wallet_pass.updated_at.replace(microsecond=0)


def modified_since(wallet_pass: WalletPass, since: datetime | None) -> bool:
    return since is None or last_modified_second(wallet_pass) > since


def touch(wallet_pass: WalletPass, now: datetime) -> None:
    """What the pass shows changed: a later Last-Modified second than before, and a time past
    every device's tag."""
    next_second = datetime.fromtimestamp(math.floor(wallet_pass.updated_at.timestamp()) + 1, UTC)
    wallet_pass.updated_at = max(now, next_second)
