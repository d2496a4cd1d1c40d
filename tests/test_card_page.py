"""The card page for the till (barcode and QR code inline) and what makes the portal an installable
app that shows the card offline: manifest, icons, service worker."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path
from typing import Any

import segno
from barcode.charsets.code128 import CODES, START_CODES, STOP
from flask.testing import FlaskClient

from admin_core.context import Core
from admin_core.services.merchants import get_merchant
from admin_core.services.portal_auth import set_password

from .conftest import login

ANNA = "7000100001"
STATIC = Path(__file__).resolve().parent.parent / "static"


def card_page(client: FlaskClient) -> str:
    login(client, ANNA, "demo-password")
    response = client.get("/p/demo/card", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    return str(response.text)


def inline_svg(page: str, css_class: str) -> str:
    found = re.search(rf'<svg [^>]*class="{css_class}".*?</svg>', page, re.S)
    assert found, f"no inline svg of class {css_class}"
    return found.group(0)


def code128_digits(svg: str) -> str:
    """Reads the bars back as a scanner would (for a number in code set C): one viewBox unit is one
    module; every symbol is 11 modules; start C, pairs of digits, checksum, stop."""
    view_box = re.search(r'viewBox="0 0 (\d+) \d+"', svg)
    assert view_box
    width = int(view_box.group(1))
    modules = ["0"] * width
    bars = [(int(x), int(w)) for x, w in re.findall(r'<rect x="(\d+)" y="0" width="(\d+)"', svg)]
    for x, w in bars:
        modules[x : x + w] = ["1"] * w
    first, last = bars[0][0], bars[-1][0] + bars[-1][1]
    assert first >= 10 and width - last >= 10, "quiet zone of at least ten modules on each side"
    line = "".join(modules[first:last])
    stop = STOP + "11"  # the stop symbol ends with a two-module termination bar
    assert line.endswith(stop)
    values = [CODES.index(line[i : i + 11]) for i in range(0, len(line) - len(stop), 11)]
    start, *data, checksum = values
    assert start == START_CODES["C"]
    assert checksum == (start + sum(i * value for i, value in enumerate(data, 1))) % 103
    return "".join(f"{value:02d}" for value in data)


def static_file(client: FlaskClient, url: str) -> bytes:
    with client.get(url) as response:  # files are streamed: close them
        assert response.status_code == 200, url
        return bytes(response.data)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_anonymous_visitors_are_sent_to_login(client: FlaskClient, demo: dict[str, Any]) -> None:
    response = client.get("/p/demo/card")
    assert response.status_code == 302
    assert response.location == "/p/demo/login?next=/p/demo/card"


def test_the_card_page_shows_barcode_qr_number_and_holder(client: FlaskClient, demo: dict[str, Any]) -> None:
    page = card_page(client)
    assert page.count("<svg") == 2
    assert f'role="img" aria-label="Barcode of card {ANNA}"' in page
    assert f'role="img" aria-label="QR code of card {ANNA}"' in page
    assert '<p class="digits">7000 1000 01</p>' in page
    assert "Anna" in page
    assert "Turn up your screen brightness for the scanner." in page
    assert "mm" not in inline_svg(page, "barcode").split(">", 1)[0], "scales with the page, no fixed size"


def test_the_barcode_encodes_the_card_number(client: FlaskClient, demo: dict[str, Any]) -> None:
    assert code128_digits(inline_svg(card_page(client), "barcode")) == ANNA


def test_the_qr_code_is_a_full_qr_code_of_the_number(client: FlaskClient, demo: dict[str, Any]) -> None:
    svg = inline_svg(card_page(client), "qr")
    expected = segno.make_qr(ANNA, error="m")
    assert not expected.is_micro
    size = expected.symbol_size(border=4)[0]
    assert f'viewBox="0 0 {size} {size}"' in svg  # the symbol plus a four-module quiet zone
    dark = re.search(r'<path[^>]*stroke="#000"[^>]*d="([^"]+)"', svg)
    modules = re.search(r'd="([^"]+)"', expected.svg_inline(border=4))
    assert dark and modules and dark.group(1) == modules.group(1)  # the same dark modules as segno's


def test_a_changed_password_ends_the_session_on_the_card_page_too(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    card_page(client)
    with core.db.read() as session:
        merchant_id = get_merchant(session, "demo").id
    set_password(core.db, core.passwords, merchant_id, ANNA, "a-brand-new-password")
    response = client.get("/p/demo/card")
    assert response.status_code == 302 and response.location == "/p/demo/login"
    assert "Your password has changed" in client.get("/p/demo/login").text


def test_the_dashboard_links_to_the_card(client: FlaskClient, demo: dict[str, Any]) -> None:
    login(client, ANNA, "demo-password")
    assert 'href="/p/demo/card"' in client.get("/p/demo/").text


def test_card_page_with_its_stylesheet_and_script_stays_small(
    client: FlaskClient, demo: dict[str, Any]
) -> None:
    page = card_page(client)
    assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', page)
    assert sorted(assets) == ["/static/css/portal.css", "/static/js/portal.js"]
    total = len(page.encode()) + sum(len(static_file(client, url)) for url in assets)
    assert total < 30_000, f"{total} bytes"


def test_manifest_makes_each_merchant_portal_its_own_app(client: FlaskClient, demo: dict[str, Any]) -> None:
    response = client.get("/p/demo/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.data)
    assert manifest["name"] == "Demo Café & Market"
    assert manifest["id"] == manifest["start_url"] == manifest["scope"] == "/p/demo/"
    assert manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    declared = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= declared
    for icon in manifest["icons"]:
        assert icon["type"] == "image/png"
        served = static_file(client, icon["src"])
        assert "x".join(map(str, png_size(served))) == icon["sizes"], icon["src"]
    assert png_size((STATIC / "icons" / "apple-touch-icon.png").read_bytes()) == (180, 180)


def test_portal_pages_link_the_manifest_and_register_the_worker(
    client: FlaskClient, demo: dict[str, Any]
) -> None:
    page = client.get("/p/demo/login").text
    assert '<link rel="manifest" href="/p/demo/manifest.webmanifest">' in page
    assert 'data-service-worker="/p/demo/sw.js"' in page
    elsewhere = client.get("/not-a-portal")
    assert elsewhere.status_code == 404
    assert 'rel="manifest"' not in elsewhere.text and "data-service-worker" not in elsewhere.text


def test_the_service_worker_is_served_inside_the_merchant_portal(
    client: FlaskClient, demo: dict[str, Any]
) -> None:
    # Its scope is the folder it is served from: /p/demo/, so no Service-Worker-Allowed header.
    with client.get("/p/demo/sw.js") as response:
        assert response.status_code == 200
        assert response.mimetype in {"text/javascript", "application/javascript"}
        assert "Service-Worker-Allowed" not in response.headers
        assert response.headers["Cache-Control"] == "no-cache"  # a new version is picked up at once
        script = response.text
    assert "self.registration.scope" in script and 'SCOPE + "logout"' in script
    assert client.get("/p/nobody/sw.js").status_code == 404
    assert client.get("/p/nobody/manifest.webmanifest").status_code == 404
