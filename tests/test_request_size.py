"""How large a request may be: the site's forms and the core's API take small bodies and refuse a
larger one with 413 before reading it (a page for people, JSON for the API); customers files, the
one large thing anyone sends, keep their 32 MB."""

from __future__ import annotations

import io
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from .conftest import csrf_token, run_imports
from .test_staff import ADMIN, log_in, token

HUGE = 40 * 1024 * 1024


def customers_file(rows: int) -> bytes:
    lines = [f"{5000000000 + n},Name{n},Surname{n},person{n}@example.com\n" for n in range(rows)]
    return ("card,first_name,last_name,email\n" + "".join(lines)).encode()


def upload(staff: FlaskClient, page: str, content: bytes) -> Any:
    """The import form with `content` as its file, encoded in memory (the test client would spool
    a large body to a temporary file it never closes)."""
    boundary, body = encode_multipart(
        {"csrf_token": token(page), "file": FileStorage(io.BytesIO(content), "customers.csv")}
    )
    return staff.post("/imports", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_a_huge_form_on_the_site_gets_a_page(client: FlaskClient, demo: dict[str, Any]) -> None:
    token_value = csrf_token(client, "/p/demo/login")
    answer = client.post(
        "/p/demo/login", data={"csrf_token": token_value, "card": "7000100001", "password": "x" * HUGE}
    )
    assert answer.status_code == 413
    assert answer.mimetype == "text/html" and "Too much at once" in answer.text


def test_a_huge_body_on_the_api_gets_json(core_app: Flask, demo: dict[str, Any]) -> None:
    answer = core_app.test_client().post(
        "/api/v1/cards/7000100001/operations",
        data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
        headers={"Authorization": f"Bearer {demo['api_key']}", "Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    assert answer.json["error"]["code"] == "request_entity_too_large"


def test_a_huge_staff_form_gets_a_page(core_app: Flask, demo: dict[str, Any]) -> None:
    staff = core_app.test_client()
    log_in(staff, ADMIN)
    page = staff.get("/account").text
    answer = staff.post("/account", data={"csrf_token": token(page), "name": "x" * (2 * 1024 * 1024)})
    assert answer.status_code == 413 and answer.mimetype == "text/html"


def test_a_customers_file_larger_than_a_form_is_still_imported(core_app: Flask, demo: dict[str, Any]) -> None:
    content = customers_file(30_000)
    assert len(content) > 1024 * 1024
    staff = core_app.test_client()
    log_in(staff, ADMIN)
    page = staff.get("/imports").text
    checked = upload(staff, page, content)
    assert checked.status_code == 302 and "/imports/" in checked.headers["Location"]
    run_imports(core_app)
    assert "30000" in staff.get(checked.headers["Location"]).text.replace(",", "").replace("\u202f", "")

    key = {"Authorization": f"Bearer {demo['api_key']}"}
    api = core_app.test_client().post(
        "/api/v1/customers/imports?filename=customers.csv",
        data=content,
        headers={**key, "Content-Type": "text/csv"},
    )
    assert api.status_code == 202
    run_imports(core_app)
    read = core_app.test_client().get(f"/api/v1/customers/imports/{api.json['id']}", headers=key)
    assert read.json["report"]["rows"] == 30_000


def test_a_customers_file_larger_than_its_limit_gets_a_page(core_app: Flask, demo: dict[str, Any]) -> None:
    staff = core_app.test_client()
    log_in(staff, ADMIN)
    page = staff.get("/imports").text
    answer = upload(staff, page, b"x" * HUGE)
    assert answer.status_code == 413 and "at most 32 MB" in answer.text
