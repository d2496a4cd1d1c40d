"""Customers' consents: the current choice lives on the customer; every change is also a record
(what, granted or withdrawn, when, where, on which version of the wording)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ..models import ConsentKind, ConsentRecord, Customer, Merchant
from . import utcnow


@dataclass(frozen=True)
class ConsentContext:
    """Where a consent was given: the channel, and what the request knows of the place and device."""

    source: str  # portal_join, portal_profile, wifi, import, staff
    store_id: int | None = None
    ip_address: str | None = None
    device_mac: str | None = None


CUSTOMER_FLAG = {
    ConsentKind.MARKETING: "marketing_consent",
    ConsentKind.NOTIFY_EMAIL: "notify_email",
    ConsentKind.NOTIFY_SMS: "notify_sms",
}


def wording_version(merchant: Merchant, kind: ConsentKind) -> str:
    return {
        ConsentKind.TERMS: merchant.terms_version,
        ConsentKind.PRIVACY: merchant.privacy_version,
        ConsentKind.MARKETING: merchant.marketing_version,
    }.get(kind, "1")


def record_consents(
    session: Session,
    merchant: Merchant,
    customer: Customer,
    choices: dict[ConsentKind, bool],
    context: ConsentContext,
    now: datetime | None = None,
    versions: dict[ConsentKind, str] | None = None,
    *,
    first: bool = False,
) -> list[ConsentRecord]:
    """Record the choices that differ from the customer's current ones (terms and privacy are
    recorded whenever given; a new customer's `first` choices all are, a refusal too: the log
    shows what was asked and answered), on the merchant's wording versions unless `versions` names
    others (a Wi-Fi venue's terms). Updates the customer's flags in the caller's transaction."""
    now = now or utcnow()
    records = []
    for kind, granted in choices.items():
        flag = CUSTOMER_FLAG.get(kind)
        if flag is not None:
            if not first and customer.id is not None and getattr(customer, flag) == granted:
                continue
            setattr(customer, flag, granted)
        record = ConsentRecord(
            customer=customer,
            kind=kind,
            granted=granted,
            version=(versions or {}).get(kind) or wording_version(merchant, kind),
            source=context.source,
            store_id=context.store_id,
            ip_address=context.ip_address,
            device_mac=context.device_mac,
            created_at=now,
        )
        session.add(record)
        records.append(record)
    return records
