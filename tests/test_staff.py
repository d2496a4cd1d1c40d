"""The staff UI as staff use it: logging in (with two-factor when on or required), the till, a
store's coupons and figures, staff accounts."""

from __future__ import annotations

import re
import time
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from admin_core.context import Core
from admin_core.models import Card, Coupon, Merchant, Operation, Staff, Voucher, VoucherStatus
from admin_core.services.staff import StaffScope, set_staff_disabled

from .conftest import deliver_mail, run_imports
from .smtp import Inbox
from .test_hostile_forms import filled, forms_on, send

PASSWORD = "demo-staff-password"
ADMIN, MANAGER, USER = "admin@demo.example", "manager@demo.example", "till@demo.example"


def token(page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def post(client: FlaskClient, url: str, data: dict[str, str], page: str | None = None) -> Any:
    """A form sent the way a browser does: with the token of the page it is on."""
    return client.post(url, data={"csrf_token": token(page or client.get(url).text), **data})


def log_in(client: FlaskClient, email: str, password: str = PASSWORD, merchant: str = "demo") -> Any:
    return post(client, "/login", {"merchant": merchant, "email": email, "password": password})


@pytest.fixture
def staff(core_app: Flask, demo: dict[str, Any]) -> FlaskClient:
    return core_app.test_client()


def operations(core: Core) -> int:
    with core.db.read() as session:
        return session.scalar(select(func.count()).select_from(Operation)) or 0


def card_points(core: Core, number: str = "7000100001") -> tuple[int, int]:
    with core.db.read() as session:
        card = session.scalar(select(Card).where(Card.number == number))
        assert card is not None
        return card.points, card.credit


def test_a_wrong_password_is_refused_the_same_as_an_unknown_address(staff: FlaskClient) -> None:
    wrong = log_in(staff, ADMIN, "not-the-password")
    unknown = log_in(staff, "nobody@demo.example")
    assert wrong.status_code == unknown.status_code == 401
    assert "The merchant, the e-mail address or the password is wrong." in wrong.text
    assert staff.get("/").status_code == 302  # still out: to the login page


def test_the_login_form_needs_its_csrf_token(staff: FlaskClient) -> None:
    answer = staff.post("/login", data={"email": ADMIN, "password": PASSWORD})
    assert answer.status_code == 400 and "Please try again" in answer.text


@pytest.mark.both_backends  # the idempotency record's unique constraint
def test_a_till_records_a_purchase_once_even_when_tapped_twice(staff: FlaskClient, core: Core) -> None:
    log_in(staff, USER)
    page = staff.get("/cards/7000100001").text
    assert "Anna Rossi" in page and "Central Station kiosk" not in re.findall(
        r"<select[^>]*store.*?</select>", page, re.S
    )
    attempt = re.search(r'name="attempt" type="hidden" value="([^"]+)"', page)
    assert attempt
    form = {"kind": "earn_points", "amount": "40", "store": "STATION", "attempt": attempt.group(1)}
    before, points = operations(core), card_points(core)[0]
    first = post(staff, "/cards/7000100001/operations", form, page)
    again = post(staff, "/cards/7000100001/operations", form, page)
    assert first.status_code == again.status_code == 302
    assert operations(core) == before + 1 and card_points(core)[0] == points + 40
    with core.db.read() as session:
        latest = session.scalars(select(Operation).order_by(Operation.id.desc())).first()
        assert latest is not None
        assert latest.staff_id == session.scalar(select(Staff.id).where(Staff.email == USER))


def test_money_is_typed_in_euros_and_kept_in_cents(staff: FlaskClient, core: Core) -> None:
    log_in(staff, USER)
    page = staff.get("/cards/7000100001").text
    attempt = re.search(r'name="attempt" type="hidden" value="([^"]+)"', page)
    assert attempt
    credit = card_points(core)[1]
    post(
        staff,
        "/cards/7000100001/operations",
        {"kind": "topup_credit", "amount": "12,50", "store": "STATION", "attempt": attempt.group(1)},
        page,
    )
    assert card_points(core)[1] == credit + 1250


def test_a_refused_operation_says_why_and_changes_nothing(staff: FlaskClient, core: Core) -> None:
    log_in(staff, USER)
    page = staff.get("/cards/7000100001").text
    before = operations(core)
    too_many = post(
        staff,
        "/cards/7000100001/operations",
        {"kind": "redeem_points", "amount": "99999", "store": "STATION", "attempt": "a1"},
        page,
    )
    assert too_many.status_code == 409 and "The card does not have enough points." in too_many.text
    not_a_number = post(
        staff,
        "/cards/7000100001/operations",
        {"kind": "earn_points", "amount": "lots", "store": "STATION", "attempt": "a2"},
        page,
    )
    assert not_a_number.status_code == 422 and "Enter a positive amount" in not_a_number.text
    assert operations(core) == before


NO_SUCH_CARD = '<p class="error" id="number-error">No card has this number.</p>'


def test_an_unknown_card_is_not_found(staff: FlaskClient) -> None:
    log_in(staff, USER)
    lookup = post(staff, "/", {"number": "7000 1000 99"})
    assert lookup.headers["Location"] == "/cards/7000100099"
    unknown = staff.get("/cards/7000100099")
    assert unknown.status_code == 404
    # The till again, the number still typed, to correct it; the form opens the card it names.
    assert NO_SUCH_CARD in unknown.text and 'value="7000100099"' in unknown.text
    again = post(staff, "/", {"number": "7000100001"}, unknown.text)
    assert again.headers["Location"] == "/cards/7000100001"


@pytest.mark.parametrize("typed", ["7000/100001", "7000100001/operations", "../settings", "70001?x=1", "%2F"])
def test_what_cannot_be_a_card_number_is_no_such_card(staff: FlaskClient, typed: str) -> None:
    log_in(staff, USER)
    answer = post(staff, "/", {"number": typed})
    assert answer.status_code == 404
    assert NO_SUCH_CARD in answer.text and "Till" in answer.text


def test_a_voucher_is_collected_at_the_staff_member_s_store(
    staff: FlaskClient, core: Core, core_app: Flask
) -> None:
    from admin_core.models import Reward
    from admin_core.services.vouchers import redeem_reward

    with core.db.write() as session:
        merchant = session.scalar(select(Merchant).where(Merchant.slug == "demo"))
        assert merchant is not None
        reward = session.scalar(select(Reward.id).where(Reward.name == "Espresso"))
        assert reward is not None
        code = redeem_reward(session, merchant, "7000100001", reward)[0].code
    log_in(staff, USER)
    collected = post(staff, "/vouchers", {"code": code.lower(), "store": "STATION"}, staff.get("/").text)
    assert collected.status_code == 302
    assert "collected" in staff.get("/").text
    again = post(staff, "/vouchers", {"code": code, "store": "STATION"}, staff.get("/").text)
    assert again.status_code == 302 and "This voucher was collected already." in staff.get("/").text
    with core.db.read() as session:
        voucher = session.scalar(select(Voucher).where(Voucher.code == code))
        assert voucher is not None and voucher.status is VoucherStatus.COLLECTED
        assert voucher.collected_store_id is not None


def test_a_manager_publishes_coupons_for_their_store_only(staff: FlaskClient, core: Core) -> None:
    log_in(staff, MANAGER)
    page = staff.get("/coupons").text
    assert 'name="store"' in page and "Every store" not in page
    made = post(
        staff,
        "/coupons",
        {
            "title": "Tuesday pastries",
            "valid_from": "2026-12-01",
            "valid_until": "2026-12-31",
            "store": "MAIN",
        },
        page,
    )
    assert made.status_code == 302
    elsewhere = post(
        staff,
        "/coupons",
        {"title": "Not mine", "valid_from": "2026-12-01", "valid_until": "2026-12-31", "store": "STATION"},
        page,
    )
    assert elsewhere.status_code == 422
    backwards = post(
        staff,
        "/coupons",
        {"title": "Backwards", "valid_from": "2026-12-31", "valid_until": "2026-12-01", "store": "MAIN"},
        page,
    )
    assert backwards.status_code == 422 and "The last day must come after the first." in backwards.text
    with core.db.read() as session:
        coupon = session.scalar(select(Coupon).where(Coupon.title == "Tuesday pastries"))
        assert coupon is not None and coupon.store is not None and coupon.store.code == "MAIN"
        # Valid through the last day, in the merchant's time zone (Rome).
        assert coupon.valid_until.isoformat() == "2026-12-31T23:00:00+00:00"
        assert session.scalar(select(func.count()).select_from(Coupon).where(Coupon.title == "Not mine")) == 0


def test_the_admin_creates_staff_and_switches_them_off(
    staff: FlaskClient, core_app: Flask, core: Core, inbox: Inbox
) -> None:
    log_in(staff, ADMIN)
    page = staff.get("/team").text
    made = post(
        staff,
        "/team",
        {
            "first_name": "Pia",
            "last_name": "Sala",
            "email": "pia@demo.example",
            "level": "USER",
            "store": "MAIN",
        },
        page,
    )
    assert made.status_code == 302
    twice = post(
        staff,
        "/team",
        {
            "first_name": "Pia",
            "last_name": "Sala",
            "email": "PIA@demo.example",
            "level": "USER",
            "store": "MAIN",
        },
        page,
    )
    assert twice.status_code == 422 and "exists already" in twice.text
    no_store = post(
        staff,
        "/team",
        {
            "first_name": "Ugo",
            "last_name": "Neri",
            "email": "ugo@demo.example",
            "level": "USER",
            "store": "",
        },
        page,
    )
    assert no_store.status_code == 422

    deliver_mail(core_app)
    [invitation] = inbox.messages
    link = re.search(r"http://localhost(/join/\S+)", inbox.text(invitation))
    assert link
    pia = core_app.test_client()
    assert post(pia, link.group(1), {"new": "pia-password-1"}).status_code == 302
    pia = core_app.test_client()
    assert log_in(pia, "pia@demo.example", "pia-password-1").status_code == 302
    assert pia.get("/").status_code == 200
    with core.db.read() as session:
        pia_id = session.scalar(select(Staff.id).where(Staff.email == "pia@demo.example"))
    post(staff, f"/team/{pia_id}/disable", {}, staff.get("/team").text)
    assert pia.get("/").status_code == 302  # her session ended
    assert log_in(pia, "pia@demo.example", "pia-password-1").status_code == 403  # told so


def test_two_factor_is_set_up_then_asked_at_every_login(staff: FlaskClient, core_app: Flask) -> None:
    log_in(staff, MANAGER)
    setup = staff.get("/two-factor").text
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', setup)
    assert secret and 'role="img"' in setup
    wrong = post(staff, "/two-factor", {"code": "000000"}, setup)
    assert wrong.status_code == 422
    totp, set_up_at = pyotp.TOTP(secret.group(1)), time.time()
    assert post(staff, "/two-factor", {"code": totp.at(set_up_at)}, setup).status_code == 302

    phone = core_app.test_client()
    first = log_in(phone, MANAGER)
    assert first.headers["Location"] == "/login/code"
    assert phone.get("/").status_code == 302  # not in yet
    page = phone.get("/login/code").text
    assert post(phone, "/login/code", {"code": "123456"}, page).status_code == 401
    # The set-up's code is spent; the next one (the app's next 30 seconds) is not. Both are taken
    # from the set-up's moment, so the test does not depend on where in its 30 seconds it runs.
    assert post(phone, "/login/code", {"code": totp.at(set_up_at)}, page).status_code == 401
    following = totp.at(set_up_at + 30)
    assert post(phone, "/login/code", {"code": following}, page).status_code == 302
    assert phone.get("/").status_code == 200


def test_the_two_factor_qr_code_scales_as_a_whole(staff: FlaskClient) -> None:
    log_in(staff, MANAGER)
    setup = staff.get("/two-factor").text
    svg = re.search(r'<div class="qr">(<svg [^>]*>)', setup)
    assert svg, setup
    # Drawn in its own units, sized by the page's CSS: never a fixed-pixel drawing cut to that size.
    assert re.search(r'viewBox="0 0 (\d+) \1"', svg.group(1))
    assert not re.search(r"\s(width|height)=", svg.group(1))


def test_a_merchant_that_requires_two_factor_sends_staff_to_set_it_up(staff: FlaskClient, core: Core) -> None:
    with core.db.write() as session:
        session.execute(update(Merchant).where(Merchant.slug == "demo").values(staff_2fa_required=True))
    assert log_in(staff, USER).headers["Location"] == "/two-factor"
    assert staff.get("/").headers["Location"] == "/two-factor"
    setup = staff.get("/two-factor").text
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', setup)
    assert secret
    post(staff, "/two-factor", {"code": pyotp.TOTP(secret.group(1)).now()}, setup)
    assert staff.get("/").status_code == 200


def test_changing_one_s_password_ends_one_s_other_sessions(staff: FlaskClient, core_app: Flask) -> None:
    other_device = core_app.test_client()
    log_in(staff, USER)
    log_in(other_device, USER)
    changed = post(staff, "/account", {"current": PASSWORD, "new": "a-new-password-1"})
    assert changed.status_code == 302
    assert staff.get("/").status_code == 200
    assert other_device.get("/").status_code == 302
    assert log_in(other_device, USER, "a-new-password-1").status_code == 302


def test_the_staff_ui_speaks_the_chosen_language(staff: FlaskClient) -> None:
    log_in(staff, USER)
    post(staff, "/language", {"lang": "it"}, staff.get("/").text)
    page = staff.get("/").text
    assert '<html lang="it">' in page and "Cassa" in page


def test_the_demo_prints_its_staff(core_app: Flask) -> None:
    import json

    printed = json.loads(core_app.test_cli_runner().invoke(args=["core", "demo"]).stdout)
    levels = {member["level"]: member for member in printed["staff"]}
    assert set(levels) == {"ADMIN", "MANAGER", "USER"}
    assert levels["MANAGER"]["store"] == "MAIN" and levels["ADMIN"]["store"] is None


def test_the_admin_imports_customers_after_seeing_what_would_happen(
    staff: FlaskClient, core_app: Flask, core: Core
) -> None:
    import io

    log_in(staff, ADMIN)
    page = staff.get("/imports").text
    content = (
        b"card;first_name;email;points\n"
        b"9900000001;Ida;ida@example.com;40\n"
        b"9900000002;Bo;not-an-address;0\n"
        b"9900000001;Ida again;;0\n"
    )
    checked = staff.post(
        "/imports",
        data={"csrf_token": token(page), "file": (io.BytesIO(content), "customers.csv")},
        content_type="multipart/form-data",
    )
    assert checked.status_code == 302
    run_imports(core_app)
    report = staff.get(checked.headers["Location"]).text
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", report)
    assert [(line, card) for line, card, _why in rows] == [("3", "9900000002"), ("4", "9900000001")]
    assert "Checked; not applied yet." in report
    with core.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Card).where(Card.number == "9900000001")) == 0
    applied = post(staff, f"{checked.headers['Location']}/apply", {}, report)
    assert applied.status_code == 302
    run_imports(core_app)
    assert "Imported: 1 new card." in staff.get(checked.headers["Location"]).text
    with core.db.read() as session:
        card = session.scalar(select(Card).where(Card.number == "9900000001"))
        assert card is not None and card.points == 40


def test_a_file_that_is_not_a_customers_file_is_refused_plainly(staff: FlaskClient, core_app: Flask) -> None:
    import io

    log_in(staff, ADMIN)
    page = staff.get("/imports").text
    refused = staff.post(
        "/imports",
        data={"csrf_token": token(page), "file": (io.BytesIO(b"\x00\x01\x02 not a table"), "photo.jpg")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 302
    run_imports(core_app)
    page = staff.get(refused.headers["Location"]).text
    assert "This file cannot be imported. The file has no card number column" in page
    assert "Apply" not in page


def test_ten_wrong_passwords_pause_the_account_s_login(staff: FlaskClient, core_app: Flask) -> None:
    for _ in range(10):
        assert log_in(staff, MANAGER, "not-the-password").status_code == 401
    paused = log_in(staff, MANAGER)
    assert paused.status_code == 429 and "Too many attempts" in paused.text
    assert 1 <= int(paused.headers["Retry-After"]) <= 15 * 60
    assert log_in(core_app.test_client(), USER).status_code == 302  # another account is not paused


def test_wrong_two_factor_codes_pause_the_account_too(staff: FlaskClient, core: Core) -> None:
    with core.db.write() as session:
        session.execute(
            update(Staff)
            .where(Staff.email == MANAGER)
            .values(totp_secret=pyotp.random_base32(), totp_enabled_at=func.now())
        )
    log_in(staff, MANAGER)
    page = staff.get("/login/code").text
    for _ in range(10):
        assert post(staff, "/login/code", {"code": "000000"}, page).status_code == 401
    assert post(staff, "/login/code", {"code": "000000"}, page).status_code == 429


def test_the_staff_session_cookie_is_its_own_and_the_staff_ui_is_never_framed(staff: FlaskClient) -> None:
    answer = log_in(staff, USER)
    cookies = [value for value in answer.headers.getlist("Set-Cookie") if value.startswith("loyalty_staff=")]
    assert len(cookies) == 1
    attributes = {part.strip().lower() for part in cookies[0].split(";")[1:]}
    assert {"secure", "httponly", "samesite=lax"} <= attributes
    page = staff.get("/")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


def test_a_site_session_cookie_does_not_pass_for_a_staff_session(staff: FlaskClient, app: Flask) -> None:
    site = app.test_client()
    site.get("/p/demo/login")
    forged = site.get_cookie("loyalty_session")
    assert forged is not None
    staff.set_cookie("loyalty_staff", forged.value)
    assert staff.get("/").status_code == 302  # to the login page


def test_two_factor_made_mandatory_reaches_sessions_already_open(staff: FlaskClient, core: Core) -> None:
    log_in(staff, USER)
    assert staff.get("/").status_code == 200
    with core.db.write() as session:
        session.execute(update(Merchant).where(Merchant.slug == "demo").values(staff_2fa_required=True))
    assert staff.get("/").headers["Location"] == "/two-factor"


@pytest.mark.parametrize("typed", ["Infinity", "sNaN", "1e999999", "-5", "0", "2.5"])
def test_amounts_that_are_not_amounts_are_refused_plainly(staff: FlaskClient, core: Core, typed: str) -> None:
    log_in(staff, USER)
    page = staff.get("/cards/7000100001").text
    before = operations(core)
    answer = post(
        staff,
        "/cards/7000100001/operations",
        {"kind": "earn_points", "amount": typed, "store": "STATION", "attempt": "x"},
        page,
    )
    assert answer.status_code == 422 and operations(core) == before


def test_the_admin_moves_a_staff_member_to_another_store_and_level(
    staff: FlaskClient, core_app: Flask, core: Core
) -> None:
    with core.db.read() as session:
        sara = session.scalar(select(Staff.id).where(Staff.email == USER))
        giulia = session.scalar(select(Staff.id).where(Staff.email == ADMIN))
    till = core_app.test_client()
    log_in(till, USER)
    assert till.get("/coupons").status_code == 403

    log_in(staff, ADMIN)
    assert f'href="/team/{sara}"' in staff.get("/team").text
    page = staff.get(f"/team/{sara}").text
    assert 'value="Sara"' in page and '<option selected value="STATION">' in page
    details = {"first_name": "Sara", "last_name": "Neri", "phone": "+39 333 7654321", "level": "MANAGER"}
    refused = post(staff, f"/team/{sara}", details | {"store": ""}, page)
    assert refused.status_code == 422 and "Choose a store." in refused.text
    moved = post(staff, f"/team/{sara}", details | {"store": "MAIN"}, page)
    assert moved.status_code == 302 and "Saved: Sara Neri." in staff.get("/team").text

    # Her open session works as MAIN's manager from its next page on.
    assert till.get("/coupons").status_code == 200
    assert (
        "Main" in till.get("/figures?store=MAIN").text or till.get("/figures?store=MAIN").status_code == 200
    )
    assert till.get("/figures?store=STATION").status_code == 404
    with core.db.read() as session:
        moved_staff = session.get_one(Staff, sara)
        assert (moved_staff.level.value, moved_staff.store and moved_staff.store.code) == ("MANAGER", "MAIN")
        assert moved_staff.phone == "+39 333 7654321" and moved_staff.email == USER

    own = post(
        staff,
        f"/team/{giulia}",
        {"first_name": "Giulia", "last_name": "Conti", "level": "MANAGER", "store": "MAIN"},
        staff.get(f"/team/{giulia}").text,
    )
    assert own.status_code == 422 and "You cannot change your own level or store." in own.text
    renamed = post(
        staff,
        f"/team/{giulia}",
        {"first_name": "Giulia Maria", "last_name": "Conti", "level": "ADMIN", "store": ""},
        staff.get(f"/team/{giulia}").text,
    )
    assert renamed.status_code == 302


def test_the_api_changes_only_what_is_sent(core_app: Flask, core: Core, demo: dict[str, Any]) -> None:
    with core.db.read() as session:
        sara = session.scalar(select(Staff.id).where(Staff.email == USER))
    api = core_app.test_client()
    headers = {"Authorization": f"Bearer {demo['api_key']}"}

    def change(payload: dict[str, Any]) -> Any:
        return api.patch(f"/api/v1/staff/{sara}", json=payload, headers=headers)

    moved = change({"store": "MAIN"})
    assert moved.status_code == 200
    assert (moved.json["store"], moved.json["level"], moved.json["first_name"]) == ("MAIN", "USER", "Sara")
    refused = change({"level": "ADMIN"})
    assert refused.status_code == 422 and refused.json["error"]["code"] == "store_required"
    assert change({"store": "NOWHERE"}).json["error"]["code"] == "unknown_store"
    assert change({"level": "ADMIN", "store": None}).json["level"] == "ADMIN"
    assert change({"phone": "12"}).json["error"]["code"] == "invalid_phone"


def test_a_new_staff_form_sent_as_shown_creates_a_till_user_at_a_store(
    staff: FlaskClient, core: Core
) -> None:
    log_in(staff, ADMIN)
    page = staff.get("/team").text
    form = next(form for form in forms_on(page).values() if form.action == "")
    person = {
        "first_name": "Pia",
        "last_name": "Sala",
        "email": "pia@demo.example",
    }
    made = send(staff, "/team", form, filled(form, person))
    assert made.status_code == 302, made.text
    with core.db.read() as session:
        pia = session.scalars(select(Staff).where(Staff.email == "pia@demo.example")).one()
        assert pia.level.value == "USER" and pia.store is not None


@pytest.mark.parametrize(
    ("level", "store", "message"),
    [
        ("USER", "", "Choose a store."),
        ("MANAGER", "", "Choose a store."),
        ("ADMIN", "MAIN", "An admin works at every store: choose —."),
    ],
)
def test_a_level_without_its_store_is_said_at_the_store_field(
    staff: FlaskClient, core: Core, level: str, store: str, message: str
) -> None:
    log_in(staff, ADMIN)
    person = {
        "first_name": "Ugo",
        "last_name": "Neri",
        "email": "ugo@demo.example",
    }
    refused = post(staff, "/team", person | {"level": level, "store": store})
    assert refused.status_code == 422
    assert f'<p class="error" id="store-error">{message}</p>' in refused.text
    with core.db.read() as session:
        assert session.scalar(select(Staff).where(Staff.email == "ugo@demo.example")) is None
    with core.db.read() as session:
        sara = session.scalar(select(Staff.id).where(Staff.email == USER))
    details = {"first_name": "Sara", "last_name": "Neri", "level": level, "store": store}
    edited = post(staff, f"/team/{sara}", details)
    assert edited.status_code == 422
    assert f'<p class="error" id="store-error">{message}</p>' in edited.text


def switch_off(core: Core, email: str) -> None:
    with core.db.write() as session:
        session.execute(update(Staff).where(Staff.email == email).values(disabled_at=func.now()))


def test_a_switched_off_account_is_told_so_once_its_password_is_right(staff: FlaskClient, core: Core) -> None:
    switch_off(core, USER)
    wrong = log_in(staff, USER, "not-the-password")
    assert wrong.status_code == 401 and "switched off" not in wrong.text  # nothing told to a guess
    assert "The merchant, the e-mail address or the password is wrong." in wrong.text
    right = log_in(staff, USER)
    assert right.status_code == 403
    assert "This account is switched off: ask your admin to switch it on." in right.text
    assert staff.get("/").status_code == 302  # not in


def test_an_account_switched_off_between_password_and_code_is_told_so(staff: FlaskClient, core: Core) -> None:
    secret = pyotp.random_base32()
    with core.db.write() as session:
        session.execute(
            update(Staff).where(Staff.email == MANAGER).values(totp_secret=secret, totp_enabled_at=func.now())
        )
    log_in(staff, MANAGER)
    page = staff.get("/login/code").text
    with core.db.read() as session:
        manager = session.scalars(select(Staff).where(Staff.email == MANAGER)).one()
    set_staff_disabled(core.db, StaffScope.merchant(manager.merchant_id), manager.id, disabled=True)
    answer = post(staff, "/login/code", {"code": pyotp.TOTP(secret).now()}, page)
    assert answer.status_code == 403 and "This account is switched off" in answer.text


def test_a_code_just_used_is_said_to_be_used(staff: FlaskClient, core_app: Flask) -> None:
    log_in(staff, MANAGER)
    setup = staff.get("/two-factor").text
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', setup)
    assert secret
    code = pyotp.TOTP(secret.group(1)).now()
    assert post(staff, "/two-factor", {"code": code}, setup).status_code == 302
    phone = core_app.test_client()
    log_in(phone, MANAGER)
    again = post(phone, "/login/code", {"code": code})
    assert again.status_code == 401
    assert "This code was just used; wait for the next one." in again.text
    wrong = post(phone, "/login/code", {"code": "000000" if code != "000000" else "111111"})
    assert "This code is not the one your app shows." in wrong.text
