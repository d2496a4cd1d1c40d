"""The portal on a merchant's website: the widget script, who may frame which page, the session
cookie inside a frame, and the way out when a browser keeps no cookies there."""

from __future__ import annotations

import gzip
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from admin_core.context import Core
from admin_core.models import StaffLevel
from admin_core.services.logos import set_logo
from admin_core.services.merchants import create_merchant, get_merchant
from admin_core.services.portal_settings import PortalSettings, update_portal_settings
from admin_core.services.staff import NewStaff, StaffScope, create_staff

from .conftest import csrf_token, submit
from .test_security_headers import policy

ANNA = "7000100001"
LOGO = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'
SHOP = "https://shop.example.com"
FRAMED = {"Sec-Fetch-Dest": "iframe"}


def demo_id(core: Core) -> int:
    with core.db.read() as session:
        return get_merchant(session, "demo").id


def frame_ancestors(response: Any) -> str:
    """The sources of the page's CSP frame-ancestors (the rest of the policy: test_security_headers)."""
    return policy(response)["frame-ancestors"]


def allow_framing(core: Core, *origins: str) -> None:
    update_portal_settings(core.db, demo_id(core), PortalSettings(embed_origins=list(origins)))


def session_cookie(response: Any) -> str:
    found = [
        value for value in response.headers.getlist("Set-Cookie") if value.startswith("loyalty_session=")
    ]
    assert len(found) == 1, response.headers.getlist("Set-Cookie")
    return found[0]


def attributes(cookie: str) -> set[str]:
    return {part.strip().lower() for part in cookie.split(";")[1:]}


def test_the_widget_script_is_public_small_and_cacheable(client: FlaskClient) -> None:
    response = client.get("/core/widget.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "data-loyalty-portal" in response.text and "loyalty-portal:height" in response.text
    assert len(gzip.compress(response.data, compresslevel=9)) <= 2048


@pytest.mark.parametrize(
    "origins",
    [(SHOP,), (SHOP, "https://www.shop.example.com", "http://127.0.0.2:8080")],
)
def test_portal_pages_may_be_framed_by_the_merchants_origins_only(
    client: FlaskClient, core: Core, demo: dict[str, Any], origins: tuple[str, ...]
) -> None:
    allow_framing(core, *origins)
    for url in ("/p/demo/login", "/p/demo/join", "/p/demo/"):
        response = client.get(url)
        assert frame_ancestors(response) == " ".join(origins), url
        assert "X-Frame-Options" not in response.headers
        assert "Sec-Fetch-Dest" in response.vary


def test_nothing_frames_a_portal_without_origins_nor_other_pages(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    assert frame_ancestors(client.get("/p/demo/login")) == "'none'"
    allow_framing(core, SHOP)
    hotspot = demo["hotspots"][0]["id"]
    for url in (f"/wifi/{hotspot}", "/p/nobody/login", "/p/demo/no-such-page", "/static/css/portal.css"):
        with client.get(url) as response:
            assert frame_ancestors(response) == "'none'", url
            assert response.headers["X-Frame-Options"] == "DENY", url


def test_the_logo_keeps_its_own_policy_and_is_not_framable(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    set_logo(core.db, demo_id(core), LOGO)
    response = client.get("/logo/demo")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'none'") and policy.endswith("; frame-ancestors 'none'")


def test_the_session_cookie_is_partitioned_inside_a_frame_only(
    app: Flask, core: Core, demo: dict[str, Any]
) -> None:
    allow_framing(core, SHOP)

    def first_visit(url: str, **headers: str) -> set[str]:
        return attributes(session_cookie(app.test_client().get(url, headers=headers)))

    framed = first_visit("/p/demo/login", **FRAMED)
    assert {"samesite=none", "secure", "partitioned", "httponly"} <= framed

    asked = first_visit("/p/demo/login?embed=1")  # the widget's address, for browsers that do not say
    assert {"samesite=none", "secure", "partitioned"} <= asked

    plain = first_visit("/p/demo/login", **{"Sec-Fetch-Dest": "document"})
    assert "samesite=lax" in plain and "secure" in plain
    assert "partitioned" not in plain and "samesite=none" not in plain


def test_a_framed_login_works_and_keeps_the_partitioned_cookie(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    allow_framing(core, SHOP)
    response = submit(client, "/p/demo/login", {"card": ANNA, "password": "demo-password"}, headers=FRAMED)
    assert response.status_code == 302
    assert "partitioned" in attributes(session_cookie(response))
    assert "Hello, Anna" in client.get("/p/demo/", headers=FRAMED).text


def test_a_framed_login_without_the_csrf_token_is_refused(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    allow_framing(core, SHOP)
    client.get("/p/demo/login?embed=1", headers=FRAMED)
    response = client.post(
        "/p/demo/login?embed=1", data={"card": ANNA, "password": "demo-password"}, headers=FRAMED
    )
    assert response.status_code == 400
    assert "Please try again" in response.text
    # What a framed login gets when the browser kept no cookie: the way out, and a frame that
    # may still show it.
    assert re.search(
        r'<a href="/p/demo/login" target="_blank" rel="noopener"[^>]*>Open in a new window', response.text
    )
    assert frame_ancestors(response) == SHOP
    assert client.get("/p/demo/", headers=FRAMED).status_code == 302  # not logged in


def test_a_framed_form_that_only_posts_offers_the_portals_home(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    allow_framing(core, SHOP)
    response = client.post("/p/demo/logout?embed=1", headers=FRAMED)
    assert response.status_code == 400
    assert re.search(
        r'<a href="/p/demo/" target="_blank" rel="noopener"[^>]*>Open in a new window', response.text
    )


def test_the_framed_login_page_offers_a_new_window(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    allow_framing(core, SHOP)
    page = client.get("/p/demo/login?next=/p/demo/rewards&embed=1").text
    link = re.search(r'<a href="([^"]+)" target="_blank" rel="noopener">Open in a new window</a>', page)
    assert link and link.group(1) == "/p/demo/login?next=%2Fp%2Fdemo%2Frewards"
    assert re.search(
        r'<script src="/static/js/embed.js" data-origins="https://shop.example.com" defer>', page
    )

    plain = client.get("/p/demo/login").text
    assert "Open in a new window" not in plain and "embed.js" not in plain


def test_embed_mode_survives_the_portals_redirects(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    """For browsers that do not send Sec-Fetch-Dest, ?embed=1 is the only sign of the frame."""
    allow_framing(core, SHOP)
    first = client.get("/p/demo/?embed=1")
    assert first.status_code == 302
    target = urlsplit(first.location)
    assert target.path == "/p/demo/login"
    assert parse_qs(target.query) == {"next": ["/p/demo/?embed=1"], "embed": ["1"]}
    token = csrf_token(client, first.location)
    response = client.post(
        first.location, data={"csrf_token": token, "card": ANNA, "password": "demo-password"}
    )
    assert response.status_code == 302 and response.location == "/p/demo/?embed=1"
    assert "partitioned" in attributes(session_cookie(response))


# The embed page in the core (/core/embed/<m> on the site), for the merchant's staff.

STAFF_PASSWORD = "demo-staff-password"


def staff_login(
    client: FlaskClient, email: str, password: str = STAFF_PASSWORD, merchant: str = "demo"
) -> None:
    token = csrf_token(client, "/core/login")
    answer = client.post(
        "/core/login", data={"csrf_token": token, "merchant": merchant, "email": email, "password": password}
    )
    assert answer.status_code == 302, answer.text


def test_the_merchants_admin_gets_the_code_to_paste(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    allow_framing(core, SHOP, "http://127.0.0.2:8080")
    staff_login(client, "admin@demo.example")
    page = client.get("/core/embed/demo")
    assert page.status_code == 200
    html = page.text
    assert re.search(r'<input id="portal-address" readonly value="http://localhost/p/demo/">', html)
    # The code is shown as text: escaped once for the page, exactly what the merchant pastes.
    assert (
        "&lt;div data-loyalty-portal=&#34;http://localhost/p/demo/&#34;&gt;"
        "&lt;a href=&#34;http://localhost/p/demo/&#34;&gt;Demo Café &amp;amp; Market&lt;/a&gt;&lt;/div&gt;\n"
        "&lt;script src=&#34;http://localhost/core/widget.js&#34; async&gt;&lt;/script&gt;"
    ) in html
    assert (
        "&lt;iframe src=&#34;http://localhost/p/demo/?embed=1&#34; title=&#34;Demo Café &amp;amp; Market"
        in html
    )
    assert "<li>https://shop.example.com</li><li>http://127.0.0.2:8080</li>" in html
    assert '<a href="/core/settings#embed_origins">' in html
    assert client.get("/core/widget.js").status_code == 200  # the script the code names is there


def test_a_store_manager_sees_it_without_the_settings_link(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    staff_login(client, "manager@demo.example")
    page = client.get("/core/embed/demo")
    assert page.status_code == 200
    assert "None yet" in page.text and "/core/settings" not in page.text


def test_a_till_user_may_not_open_it(client: FlaskClient, demo: dict[str, Any]) -> None:
    staff_login(client, "till@demo.example")
    assert client.get("/core/embed/demo").status_code == 403


def test_another_merchants_staff_get_nothing(client: FlaskClient, core: Core, demo: dict[str, Any]) -> None:
    other = create_merchant(core.db, "other", "Other shop", portal_enabled=True)
    create_staff(
        core.db,
        core.passwords,
        StaffScope.merchant(other.id),
        NewStaff("Otto", "Other", "otto@other.example", "other-staff-password", StaffLevel.ADMIN, None),
    )
    staff_login(client, "otto@other.example", "other-staff-password", "other")
    assert client.get("/core/embed/demo").status_code == 404
    assert client.get("/core/embed/other").status_code == 200

    staff_login(client, "admin@demo.example")
    assert client.get("/core/embed/other").status_code == 404
    assert client.get("/core/embed/nobody").status_code == 404


def test_anonymous_visitors_are_sent_to_the_staff_login(client: FlaskClient, demo: dict[str, Any]) -> None:
    answer = client.get("/core/embed/demo")
    assert answer.status_code == 302 and "/core/login" in answer.location


def test_embed_in_the_address_of_a_top_level_page_keeps_the_lax_cookie(
    client: FlaskClient, demo: dict[str, Any]
) -> None:
    answer = client.get("/p/demo/login?embed=1", headers={"Sec-Fetch-Dest": "document"})
    assert "samesite=lax" in attributes(session_cookie(answer))
