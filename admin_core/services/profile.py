"""A customer's own data, from the portal: contact details, language and consents; a copy of
everything kept about them; deleting the account (the card's ledger stays, anonymised)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from passlib.context import CryptContext
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..database import Database
from ..errors import Invalid
from ..models import (
    Card,
    ConsentKind,
    ConsentRecord,
    Customer,
    Merchant,
    Operation,
    Pass,
    PortalToken,
    Store,
    Voucher,
    WifiVisit,
)
from . import utcnow
from .consents import ConsentContext, record_consents
from .portal_auth import session_card, verify_password
from .signup import MAX_NAME, customer_name, phone_number

LOCALE = re.compile(r"^[a-z]{2,3}(?:[_-][A-Za-z]{2})?$")


@dataclass(frozen=True)
class ProfileChanges:
    """What to change; None leaves a value as it is. An empty phone removes it."""

    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    locale: str | None = None
    marketing_consent: bool | None = None
    notify_email: bool | None = None
    notify_sms: bool | None = None

    def consents(self) -> dict[ConsentKind, bool]:
        choices = {
            ConsentKind.MARKETING: self.marketing_consent,
            ConsentKind.NOTIFY_EMAIL: self.notify_email,
            ConsentKind.NOTIFY_SMS: self.notify_sms,
        }
        return {kind: granted for kind, granted in choices.items() if granted is not None}


def _cleaned(changes: ProfileChanges) -> dict[str, str | None]:
    """The contact fields to set, checked by the sign-up's rules; Invalid on the first bad one."""
    fields: dict[str, str | None] = {}
    if changes.first_name is not None:
        fields["first_name"] = customer_name(changes.first_name, "invalid_first_name", "first name")
    if changes.last_name is not None:
        # May stay empty: cards enrolled at a till often carry a first name only.
        fields["last_name"] = changes.last_name.strip()
        if len(fields["last_name"] or "") > MAX_NAME:
            raise Invalid("invalid_last_name", f"A last name is at most {MAX_NAME} characters.")
    if changes.phone is not None:
        fields["phone"] = phone_number(changes.phone)
    if changes.locale is not None:
        if not LOCALE.match(changes.locale):
            raise Invalid("invalid_locale", "A language is a code such as 'en' or 'nb'.")
        fields["locale"] = changes.locale
    return fields


def get_profile(db: Database, merchant_id: int, number: str, credentials_version: int) -> Card:
    with db.read() as session:
        return session_card(session, merchant_id, number, credentials_version)


def update_profile(
    db: Database,
    merchant_id: int,
    number: str,
    credentials_version: int,
    changes: ProfileChanges,
    context: ConsentContext,
    now: datetime | None = None,
) -> Card:
    """Change contact details, language and consents; a consent that changes is also recorded."""
    fields = _cleaned(changes)
    with db.write() as session:
        card = session_card(session, merchant_id, number, credentials_version, for_update=True)
        for name, value in fields.items():
            setattr(card.customer, name, value)
        choices = changes.consents()
        if choices:
            merchant = session.get_one(Merchant, merchant_id)
            record_consents(session, merchant, card.customer, choices, context, now)
    return card


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_customer_data(
    db: Database, merchant_id: int, number: str, credentials_version: int, now: datetime | None = None
) -> dict[str, Any]:
    """Everything kept about the session's customer, as JSON-ready values: their details, consent
    records and every card of theirs with its balances, operations, vouchers and passes."""
    with db.read() as session:
        customer = session_card(session, merchant_id, number, credentials_version).customer
        merchant = session.get_one(Merchant, merchant_id)
        stores = {
            store.id: store.name
            for store in session.scalars(select(Store).where(Store.merchant_id == merchant_id))
        }
        cards = session.scalars(
            select(Card)
            .where(Card.customer_id == customer.id, Card.merchant_id == merchant_id)
            .order_by(Card.id)
        ).all()
        ids = [card.id for card in cards]
        operations = session.scalars(
            select(Operation).where(Operation.card_id.in_(ids)).order_by(Operation.created_at, Operation.id)
        ).all()
        vouchers = session.scalars(
            select(Voucher).where(Voucher.card_id.in_(ids)).order_by(Voucher.created_at, Voucher.id)
        ).all()
        passes = session.scalars(
            select(Pass).where(Pass.card_id.in_(ids)).order_by(Pass.valid_from, Pass.id)
        ).all()
        consents = session.scalars(
            select(ConsentRecord)
            .where(ConsentRecord.customer_id == customer.id)
            .order_by(ConsentRecord.created_at, ConsentRecord.id)
        ).all()
        visits = session.scalars(
            select(WifiVisit).where(WifiVisit.customer_id == customer.id).order_by(WifiVisit.created_at)
        ).all()

    def of_card(card: Card) -> dict[str, Any]:
        return {
            "number": card.number,
            "created_at": _iso(card.created_at),
            "activated_at": _iso(card.activated_at),
            "last_activity_at": _iso(card.last_activity_at),
            "balances": {
                "points": card.points,
                "credit": card.credit,
                "discount": card.discount,
                "currency": merchant.currency,
            },
            "operations": [
                {
                    "kind": operation.kind.value,
                    "points": operation.points,
                    "credit": operation.credit,
                    "discount": operation.discount,
                    "store": stores.get(operation.store_id or 0),
                    "description": operation.description,
                    "created_at": _iso(operation.created_at),
                }
                for operation in operations
                if operation.card_id == card.id
            ],
            "vouchers": [
                {
                    "code": voucher.code,
                    "reward": voucher.reward.name,
                    "points": voucher.points,
                    "status": voucher.status.value,
                    "created_at": _iso(voucher.created_at),
                    "expires_at": _iso(voucher.expires_at),
                    "collected_at": _iso(voucher.collected_at),
                    "collected_store": stores.get(voucher.collected_store_id or 0),
                    "cancelled_at": _iso(voucher.cancelled_at),
                }
                for voucher in vouchers
                if voucher.card_id == card.id
            ],
            "passes": [
                {
                    "name": held.name,
                    "entries_total": held.entries_total,
                    "entries_left": held.entries_left,
                    "valid_from": _iso(held.valid_from),
                    "valid_until": _iso(held.valid_until),
                }
                for held in passes
                if held.card_id == card.id
            ],
        }

    return {
        "exported_at": _iso(now or utcnow()),
        "merchant": {"slug": merchant.slug, "name": merchant.name},
        "customer": {
            "first_name": customer.first_name,
            "last_name": customer.last_name,
            "email": customer.email,
            "phone": customer.phone,
            "locale": customer.locale,
            "gender": customer.gender,
            "birth_date": _iso(customer.birth_date),
            "home_store": stores.get(customer.store_id or 0),
            "marketing_consent": customer.marketing_consent,
            "notify_email": customer.notify_email,
            "notify_sms": customer.notify_sms,
            "created_at": _iso(customer.created_at),
        },
        "consents": [
            {
                "kind": record.kind.value,
                "granted": record.granted,
                "version": record.version,
                "source": record.source,
                "store": stores.get(record.store_id or 0),
                "ip_address": record.ip_address,
                "device_mac": record.device_mac,
                "created_at": _iso(record.created_at),
            }
            for record in consents
        ],
        "cards": [of_card(card) for card in cards],
        "wifi_visits": [
            {
                "store": stores.get(visit.store_id),
                "device_mac": visit.device_mac,
                "ip_address": visit.ip_address,
                "created_at": _iso(visit.created_at),
            }
            for visit in visits
        ],
    }


def delete_account(
    db: Database,
    hasher: CryptContext,
    merchant_id: int,
    number: str,
    credentials_version: int,
    password: str,
    context: ConsentContext,
    now: datetime | None = None,
) -> None:
    """Erase the customer's personal data and end every portal access of theirs. The cards, their
    balances, operations and vouchers stay, no longer tied to a person, for the merchant's books;
    the consent records stay as the proof they are, ending with the withdrawals made here."""
    verify_password(db, hasher, merchant_id, number, credentials_version, password)
    with db.write() as session:
        customer = session_card(session, merchant_id, number, credentials_version, for_update=True).customer
        erase_customer(session, session.get_one(Merchant, merchant_id), customer, context, now or utcnow())


def erase_customer(
    session: Session, merchant: Merchant, customer: Customer, context: ConsentContext, now: datetime
) -> None:
    """In the caller's transaction: the customer's personal data erased and every portal access of
    theirs ended. The cards, their ledger and vouchers stay, no longer tied to a person; so do the
    consent records, ending with the withdrawals made here."""
    record_consents(
        session,
        merchant,
        customer,
        {ConsentKind.MARKETING: False, ConsentKind.NOTIFY_EMAIL: False, ConsentKind.NOTIFY_SMS: False},
        context,
        now,
    )
    customer.first_name = ""
    customer.last_name = ""
    customer.email = None
    customer.phone = None
    customer.locale = None
    customer.gender = None
    customer.birth_date = None
    customer.store_id = None
    customer.deleted_at = now
    cards = session.scalars(
        select(Card).where(Card.customer_id == customer.id).with_for_update(of=Card)
    ).all()
    for card in cards:
        card.password_hash = None
        card.activated_at = None
        card.credentials_version += 1
    # Pending links hold password hashes and e-mail addresses: nothing to keep them for.
    session.execute(delete(PortalToken).where(PortalToken.card_id.in_([card.id for card in cards])))
    # Which device was where, and when, is personal too; the visits stay as counts.
    session.execute(
        update(WifiVisit).where(WifiVisit.customer_id == customer.id).values(device_mac=None, ip_address=None)
    )
