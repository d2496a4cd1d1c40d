"""A merchant makes the portal theirs: on or off, colours that stay readable, languages, embedding
origins, program rules, a logo (a real image, or an SVG that is only drawing). The portal and the
Wi-Fi splash wear them."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from admin_core.context import Core
from admin_core.services.cards import enroll_customer
from admin_core.services.merchants import create_api_key, create_merchant

from .conftest import merchant_settings_expire
from .test_hostile_forms import filled, forms_on, send

LOGO_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>Demo</title>'
    b'<circle cx="5" cy="5" r="4" fill="#0b57d0"/></svg>'
)


def png(size: tuple[int, int] = (40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#0b57d0").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def api(core_app: Flask, demo: dict[str, Any]) -> FlaskClient:
    client = core_app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {demo['api_key']}"
    return client


def test_settings_are_read_and_changed_through_the_api(api: FlaskClient) -> None:
    changed = api.patch(
        "/api/v1/merchant",
        json={
            "header_text": "  Your points, your way  ",
            "footer_text": "Via Roma 1, Milano",
            "accent_color": "#7A1F5C",
            "accent_text_color": "#FFFFFF",
            "offered_locales": ["it", "en"],
            "default_locale": "it",
            "embed_origins": ["https://Shop.Example.com/", "https://shop.example.com"],
            "points_per_unit": 2,
            "points_validity_months": 0,
            "terms_url": "https://shop.example.com/rules",
        },
    )
    assert changed.status_code == 200, changed.json
    body = changed.json
    assert body["header_text"] == "Your points, your way" and body["accent_color"] == "#7a1f5c"
    assert body["offered_locales"] == ["en", "it"] and body["embed_origins"] == ["https://shop.example.com"]
    assert body["points_validity_months"] is None and body["points_per_unit"] == 2
    assert api.get("/api/v1/merchant").json == body


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"accent_color": "#ffff00"}, "low_contrast"),  # yellow links on white
        ({"accent_color": "#0b57d0", "accent_text_color": "#0a50c0"}, "low_contrast"),
        ({"accent_color": "blue"}, "invalid_color"),
        ({"embed_origins": ["http://shop.example.com"]}, "invalid_origin"),
        ({"embed_origins": ["https://shop.example.com/page"]}, "invalid_origin"),
        ({"offered_locales": ["fr"]}, "invalid_locales"),
        ({"offered_locales": ["it"]}, "invalid_default_locale"),  # the default stays "en"
        ({"timezone": "Mars/Olympus"}, "invalid_timezone"),
        ({"currency": "XYZ"}, "invalid_currency"),
        ({"points_per_unit": -1}, "invalid_points_per_unit"),
        ({"terms_url": "ftp://shop.example.com"}, "invalid_terms_url"),
    ],
)
def test_settings_that_would_break_the_portal_are_refused(
    api: FlaskClient, changes: dict[str, Any], code: str
) -> None:
    before = api.get("/api/v1/merchant").json
    answer = api.patch("/api/v1/merchant", json=changes)
    assert answer.status_code == 422 and answer.json["error"]["code"] == code
    assert api.get("/api/v1/merchant").json == before


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "unsafe_svg"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>', "unsafe_svg"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/x.png"/></svg>',
            "unsafe_svg",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://evil.example/#x)"/></svg>',
            "unsafe_svg",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>hi</p></foreignObject></svg>',
            "unsafe_svg",
        ),
        (
            b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
            "invalid_logo",
        ),
        (b"<html><body>not an image</body></html>", "invalid_logo"),
        (b"GIF89a not really", "invalid_logo"),
        (b"", "invalid_logo"),
        (b"\x89PNG" + b"0" * (300 * 1024), "logo_too_large"),
    ],
)
def test_a_logo_that_is_not_a_plain_image_is_refused(api: FlaskClient, content: bytes, code: str) -> None:
    answer = api.put("/api/v1/merchant/logo", data=content)
    assert answer.status_code == 422 and answer.json["error"]["code"] == code
    assert api.get("/api/v1/merchant").json["logo_digest"] is None


def test_a_huge_png_is_refused_by_its_size_in_pixels(api: FlaskClient) -> None:
    answer = api.put("/api/v1/merchant/logo", data=png((3000, 10)))
    assert answer.status_code == 422 and answer.json["error"]["code"] == "logo_too_large"


def test_the_portal_and_the_splash_wear_the_merchant_s_look(api: FlaskClient, client: FlaskClient) -> None:
    api.patch(
        "/api/v1/merchant",
        json={"header_text": "Since 1921", "footer_text": "Open every day", "accent_color": "#7a1f5c"},
    )
    digest = api.put("/api/v1/merchant/logo", data=LOGO_SVG).json["logo_digest"]
    login = client.get("/p/demo/login").text
    assert "Since 1921" in login and "Open every day" in login
    assert "--accent:#7a1f5c;--on-accent:#ffffff" in login
    logo_url = re.search(r'<img class="logo" src="([^"]+)" alt="">', login)
    assert logo_url and logo_url.group(1) == f"/logo/demo?v={digest[:12]}"
    splash = client.get("/wifi/demo-unifi?id=aa:bb:cc:dd:ee:ff").text
    assert "Since 1921" in splash and logo_url.group(1) in splash

    logo = client.get(logo_url.group(1))
    assert logo.status_code == 200 and logo.mimetype == "image/svg+xml" and logo.data == LOGO_SVG
    assert logo.headers["Cache-Control"] == "public, max-age=31536000"
    assert "sandbox" in logo.headers["Content-Security-Policy"]
    assert logo.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/logo/demo", headers={"If-None-Match": f'"{digest}"'}).status_code == 304


def test_a_new_logo_is_a_new_address_and_removing_it_removes_it(
    api: FlaskClient, client: FlaskClient
) -> None:
    first = api.put("/api/v1/merchant/logo", data=png()).json["logo_digest"]
    second = api.put("/api/v1/merchant/logo", data=png((41, 20))).json["logo_digest"]
    assert first != second and f"v={second[:12]}" in client.get("/p/demo/login").text
    assert client.get("/logo/demo").mimetype == "image/png"
    api.delete("/api/v1/merchant/logo")
    merchant_settings_expire(client)
    assert 'class="logo"' not in client.get("/p/demo/login").text
    assert client.get("/logo/demo").status_code == 404
    assert client.get("/logo/nowhere").status_code == 404


def test_only_the_offered_languages_are_offered(api: FlaskClient, client: FlaskClient) -> None:
    api.patch("/api/v1/merchant", json={"offered_locales": ["en", "it"]})
    page = client.get("/p/demo/login", headers={"Accept-Language": "bg"}).text
    assert '<html lang="en">' in page  # Bulgarian is not offered here: the merchant's default
    assert 'hreflang="it"' in page and 'hreflang="bg"' not in page


def token(page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found
    return found.group(1)


def staff_admin(core_app: Flask) -> FlaskClient:
    """The demo's admin, logged in to the staff UI."""
    staff = core_app.test_client()
    page = staff.get("/login").text
    staff.post(
        "/login",
        data={
            "csrf_token": token(page),
            "merchant": "demo",
            "email": "admin@demo.example",
            "password": "demo-staff-password",
        },
    )
    return staff


def test_the_admin_changes_settings_and_the_logo_in_the_staff_ui(
    core_app: Flask, core: Core, demo: dict[str, Any]
) -> None:
    staff = staff_admin(core_app)
    page = staff.get("/settings").text
    form = {
        "csrf_token": token(page),
        "portal_enabled": "y",
        "header_text": "Welcome",
        "footer_text": "",
        "accent_color": "#ffff00",
        "accent_text_color": "#000000",
        "default_locale": "en",
        "offered_locales": "en, it, bg, nb",
        "timezone": "Europe/Rome",
        "currency": "EUR",
        "embed_origins": "https://shop.example.com\nhttps://blog.example.com",
        "points_per_unit": "1",
        "points_validity_months": "12",
        "tier_period_months": "12",
        "terms_url": "",
        "privacy_url": "",
    }
    refused = staff.post("/settings", data=form)
    assert refused.status_code == 422 and "too close" in refused.text
    saved = staff.post("/settings", data={**form, "accent_color": "#5b2a86", "accent_text_color": "#ffffff"})
    assert saved.status_code == 302
    assert "https://blog.example.com" in staff.get("/settings").text
    uploaded = staff.post(
        "/settings/logo",
        data={"csrf_token": token(page), "logo": (io.BytesIO(LOGO_SVG), "logo.svg")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302 and "A logo is set." in staff.get("/settings").text
    unsafe = staff.post(
        "/settings/logo",
        data={
            "csrf_token": token(page),
            "logo": (io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'), "x.svg"),
        },
        content_type="multipart/form-data",
    )
    assert unsafe.status_code == 302 and "scripts, links or styles" in staff.get("/settings").text


def test_the_portal_shows_the_program_s_rules(api: FlaskClient, client: FlaskClient) -> None:
    page = client.get("/p/demo/rules").text
    assert "1 point for every €1.00 you spend." in page
    assert "Points expire after 12 months without purchases." in page
    assert re.findall(r'<span class="what">([^<]+)</span>', page) == ["Bronze", "Silver", "Gold"]
    assert "Purchases earn 1.5 times the points. Half as many points again" in page
    api.patch(
        "/api/v1/merchant",
        json={
            "points_per_unit": 3,
            "points_validity_months": 0,
            "terms_url": "https://shop.example.com/rules",
        },
    )
    merchant_settings_expire(client)
    page = client.get("/p/demo/rules").text
    assert "3 points for every €1.00 you spend." in page and "Your points do not expire." in page
    assert 'href="https://shop.example.com/rules"' in client.get("/p/demo/join").text


def test_the_profile_offers_only_the_merchant_s_languages(api: FlaskClient, client: FlaskClient) -> None:
    from .conftest import login

    api.patch("/api/v1/merchant", json={"offered_locales": ["en", "nb"]})
    login(client, "7000100001", "demo-password")
    page = client.get("/p/demo/profile").text
    choices = re.findall(r'<option[^>]*value="([a-z]{2})"', page)
    assert choices == ["en", "nb"]


def save_as_shown(staff: FlaskClient) -> Any:
    """The settings page's form sent back as the browser shows it, nothing changed."""
    form = forms_on(staff.get("/settings").text)[("post", "", 0)]
    return send(staff, "/settings", form, filled(form, {}))


def test_unchanged_settings_save_again_and_again(core_app: Flask, api: FlaskClient) -> None:
    staff = staff_admin(core_app)
    assert 'name="embed_origins"' in staff.get("/settings").text
    first = save_as_shown(staff)
    assert first.status_code == 302, first.text
    assert api.get("/api/v1/merchant").json["embed_origins"] == []
    api.patch(
        "/api/v1/merchant", json={"embed_origins": ["https://shop.example.com", "https://blog.example.com"]}
    )
    shown = {name: value for name, _, value in forms_on(staff.get("/settings").text)[("post", "", 0)].fields}
    assert shown["embed_origins"] == "https://shop.example.com\nhttps://blog.example.com"  # one per line
    for _ in range(2):
        again = save_as_shown(staff)
        assert again.status_code == 302, again.text
    assert api.get("/api/v1/merchant").json["embed_origins"] == [
        "https://shop.example.com",
        "https://blog.example.com",
    ]


def test_the_currency_cannot_change_under_recorded_operations(core_app: Flask, api: FlaskClient) -> None:
    before = api.get("/api/v1/merchant").json
    refused = api.patch("/api/v1/merchant", json={"currency": "CHF", "header_text": "New"})
    assert refused.status_code == 422 and refused.json["error"]["code"] == "currency_in_use"
    assert api.get("/api/v1/merchant").json == before  # nothing of the request changed
    assert api.patch("/api/v1/merchant", json={"currency": "eur"}).status_code == 200  # the same one

    staff = staff_admin(core_app)
    form = forms_on(staff.get("/settings").text)[("post", "", 0)]
    answer = send(staff, "/settings", form, filled(form, {"currency": "CHF"}))
    assert answer.status_code == 422
    assert (
        '<p class="error" id="currency-error">Cards have balances and operations in this currency already: '
        "it cannot change.</p>"
    ) in answer.text
    assert api.get("/api/v1/merchant").json["currency"] == "EUR"


def test_a_new_merchant_chooses_its_currency_until_a_card_holds_money(core: Core, core_app: Flask) -> None:
    fresh = create_merchant(core.db, "fresh", "Fresh shop")
    api = core_app.test_client()
    api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {create_api_key(core.db, fresh.id)}"
    assert api.patch("/api/v1/merchant", json={"currency": "CHF"}).json["currency"] == "CHF"
    enroll_customer(core.db, fresh.id, "F0001", first_name="Ida", credit=1250)  # imported: no operation
    refused = api.patch("/api/v1/merchant", json={"currency": "EUR"})
    assert refused.status_code == 422 and refused.json["error"]["code"] == "currency_in_use"
