"""The admin's CSV export of the customers a search finds: what it holds, cells a spreadsheet
shows as text and never runs, contact details only of customers who consented to marketing,
streamed a page at a time; in the staff UI (keeping the page's filters) and the API."""

from __future__ import annotations

import csv
import io
import types
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update

from admin_core.context import Core
from admin_core.database import Database
from admin_core.errors import Forbidden, Invalid
from admin_core.models import Customer, CustomerSource, StaffLevel
from admin_core.services import customer_export
from admin_core.services.cards import enroll_customer
from admin_core.services.customer_export import COLUMNS, export_customers, safe
from admin_core.services.customer_search import CustomerFilters
from admin_core.services.merchants import create_merchant
from admin_core.services.staff import StaffScope

from .test_customer_search_api import bearer, staff

PEOPLE = [
    # number, first, last, e-mail, phone, marketing consent
    ("5200000001", "Mario", "Rossi", "mario@example.com", "+39 333 123 4567", True),
    ("5200000002", '=HYPERLINK("http://x")', "@SUM(A1)", "-evil@example.com", "+1 555 0100", True),
    ("5200000003", "Nora", "\tTabbed", "nora@example.com", "0047 912 34 567", False),
    ("5200000004", "Zoë", "Ødegård", None, None, True),
    ("5200000005", "+Plus", "-Minus", "quiet@example.com", "+39 02 1234", False),
]


@pytest.fixture
def shop(db: Database) -> StaffScope:
    merchant = create_merchant(db, "shop", "Shop")
    for number, first, last, email, phone, consent in PEOPLE:
        card = enroll_customer(
            db, merchant.id, number, first_name=first, last_name=last, email=email, phone=phone,
            points=int(number[-1]) * 10, credit=1250, source=CustomerSource.WEB,
        )  # fmt: skip
        with db.write() as session:
            session.execute(  # as an import may have stored it: enrolling trims the names
                update(Customer)
                .where(Customer.id == card.customer_id)
                .values(marketing_consent=consent, last_name=last)
            )
    other = create_merchant(db, "other", "Other")
    enroll_customer(db, other.id, "5200000009", first_name="Mario", email="other@example.com")
    return StaffScope.merchant(merchant.id)


def rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff"), "a BOM, for Excel"
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_export_holds_the_found_customers_newest_first(db: Database, shop: StaffScope) -> None:
    header, *found = rows("".join(export_customers(db, shop, "", CustomerFilters())))
    assert header == list(COLUMNS)
    assert [row[0] for row in found] == [number for number, *_ in reversed(PEOPLE)]
    mario = dict(zip(header, found[-1], strict=True))
    assert mario["first_name"] == "Mario" and mario["points"] == "10" and mario["credit"] == "12.50"
    assert mario["source"] == "web" and mario["marketing_consent"] == "yes"
    assert mario["signed_up_at"].startswith("20")
    only = rows("".join(export_customers(db, shop, "ross", CustomerFilters())))
    assert [row[0] for row in only[1:]] == ["5200000001"], "the search's own rule"
    consenting = rows("".join(export_customers(db, shop, "", CustomerFilters(marketing=True))))
    assert {row[0] for row in consenting[1:]} == {"5200000001", "5200000002", "5200000004"}


def test_contact_details_only_of_customers_who_consented(db: Database, shop: StaffScope) -> None:
    header, *found = rows("".join(export_customers(db, shop, "", CustomerFilters())))
    by_number = {row[0]: dict(zip(header, row, strict=True)) for row in found}
    assert by_number["5200000001"]["email_if_marketing_consent"] == "mario@example.com"
    assert by_number["5200000001"]["phone_if_marketing_consent"] == "'+39 333 123 4567"
    for silent in ("5200000003", "5200000005"):
        assert by_number[silent]["email_if_marketing_consent"] == ""
        assert by_number[silent]["phone_if_marketing_consent"] == ""
    text = "".join(export_customers(db, shop, "", CustomerFilters()))
    assert "nora@example.com" not in text and "quiet@example.com" not in text and "912 34" not in text
    assert "other@example.com" not in text, "never another merchant's customers"


def test_no_cell_starts_a_formula(db: Database, shop: StaffScope) -> None:
    header, *found = rows("".join(export_customers(db, shop, "", CustomerFilters())))
    cells = [cell for row in found for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    by_number = {row[0]: dict(zip(header, row, strict=True)) for row in found}
    evil = by_number["5200000002"]
    assert evil["first_name"] == '\'=HYPERLINK("http://x")' and evil["last_name"] == "'@SUM(A1)"
    assert evil["email_if_marketing_consent"] == "'-evil@example.com"
    assert by_number["5200000003"]["last_name"] == "'\tTabbed"
    assert (by_number["5200000005"]["first_name"], by_number["5200000005"]["last_name"]) == (
        "'+Plus",
        "'-Minus",
    )
    assert safe("\r=1") == "'\r=1" and safe("Anna") == "Anna" and safe("") == ""


def test_the_export_is_streamed_a_page_at_a_time(
    db: Database, shop: StaffScope, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(customer_export, "PAGE", 2)
    chunks = export_customers(db, shop, "", CustomerFilters())
    assert isinstance(chunks, types.GeneratorType)
    parts = list(chunks)
    assert len(parts) == 1 + 3, "the header, then three pages of at most two"
    assert [line.split(",")[0] for part in parts[1:] for line in part.splitlines()] == [
        number for number, *_ in reversed(PEOPLE)
    ]


def test_only_the_admin_exports_and_bad_filters_are_refused_at_once(db: Database, shop: StaffScope) -> None:
    manager = StaffScope(shop.merchant_id, 1, StaffLevel.MANAGER, 1)
    with pytest.raises(Forbidden):
        export_customers(db, manager, "", CustomerFilters())
    with pytest.raises(Invalid) as unknown:
        export_customers(db, shop, "", CustomerFilters(store="NOPE"))
    assert unknown.value.code == "unknown_store"
    with pytest.raises(Invalid):
        export_customers(db, shop, "x" * 101, CustomerFilters())


def test_the_staff_page_exports_what_it_shows(core_app: Flask, core: Core, demo: dict[str, Any]) -> None:
    admin = staff(core_app, "admin@demo.example")
    page = admin.get("/customers?q=rossi&marketing=no").text
    assert 'href="/customers/export.csv?q=rossi&amp;marketing=no"' in page
    assert "only of those who consented to marketing" in page
    answer = admin.get("/customers/export.csv?q=rossi&marketing=no")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert "attachment" in answer.headers["Content-Disposition"]
    header, *found = rows(answer.get_data(as_text=True))
    assert header[0] == "Card number" and header[-1] == "Phone (only with marketing consent)"
    assert all("Rossi" in row[2] for row in found) and found
    assert 'href="/customers/export.csv' not in staff(core_app, "manager@demo.example").get("/customers").text
    assert staff(core_app, "manager@demo.example").get("/customers/export.csv").status_code == 403
    bad = admin.get("/customers/export.csv?source=fax", follow_redirects=True)
    assert bad.status_code == 422 and "Choose the filters from the lists" in bad.text


def test_the_api_exports_as_text_csv(core_app: Flask, demo: dict[str, Any]) -> None:
    api = core_app.test_client()
    answer = api.get("/api/v1/customers/export.csv?q=anna", headers=bearer(demo))
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    header, *found = rows(answer.get_data(as_text=True))
    assert header == list(COLUMNS) and [row[0] for row in found] == ["7000100001"]
    refused = api.get("/api/v1/customers/export.csv?store=NOPE", headers=bearer(demo))
    assert refused.status_code == 422 and refused.json["error"]["code"] == "unknown_store"
    described = api.get("/api/v1/openapi.json").json["paths"]["/api/v1/customers/export.csv"]["get"]
    assert "text/csv" in described["responses"]["200"]["content"]
