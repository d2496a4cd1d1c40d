"""Invitations and reset links through the API (merchant key): a new member without a password is
invited, with one logs in at once as before; resending and reset links are writes applied once per
Idempotency-Key."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from admin_core.context import Core
from admin_core.models import OutboundMail

from .conftest import deliver_mail
from .smtp import Inbox
from .test_staff import MANAGER, log_in, post
from .test_staff_invitations import CHOSEN, PIA, join_link, member_id


def call(core_app: Flask, demo: dict[str, Any], path: str, key: str, body: Any = None) -> Any:
    headers = {"Authorization": f"Bearer {demo['api_key']}", "Idempotency-Key": key}
    return core_app.test_client().post(f"/api/v1{path}", json=body, headers=headers)


def queued(core: Core) -> int:
    with core.db.read() as session:
        return session.scalar(select(func.count()).select_from(OutboundMail)) or 0


def test_a_member_without_a_password_is_invited_and_joins(
    core_app: Flask, core: Core, demo: dict[str, Any], inbox: Inbox
) -> None:
    made = call(core_app, demo, "/staff", "invite-pia", PIA)
    assert made.status_code == 201, made.json
    assert made.json["invited"] is True and made.json["email"] == "pia@demo.example"
    replayed = call(core_app, demo, "/staff", "invite-pia", PIA)
    assert replayed.status_code == 201 and replayed.headers["Idempotent-Replayed"] == "true"
    taken = call(core_app, demo, "/staff", "invite-pia-again", PIA | {"email": "PIA@demo.example"})
    assert taken.status_code == 409 and taken.json["error"]["code"] == "staff_exists"
    deliver_mail(core_app)
    [message] = inbox.messages  # one invitation: the replay sent none
    newcomer: FlaskClient = core_app.test_client()
    link = join_link(inbox.text(message))
    assert post(newcomer, link, {"new": CHOSEN}).status_code == 302
    listed = core_app.test_client().get(
        "/api/v1/staff", headers={"Authorization": f"Bearer {demo['api_key']}"}
    )
    [pia] = [member for member in listed.json["staff"] if member["email"] == "pia@demo.example"]
    assert pia["invited"] is False


def test_a_member_with_a_password_logs_in_at_once_as_before(
    core_app: Flask, core: Core, demo: dict[str, Any]
) -> None:
    made = call(core_app, demo, "/staff", "pia-with-password", PIA | {"password": "pia-password-1"})
    assert made.status_code == 201 and made.json["invited"] is False
    assert queued(core) == 0
    assert log_in(core_app.test_client(), "pia@demo.example", "pia-password-1").status_code == 302
    short = call(core_app, demo, "/staff", "short", PIA | {"email": "ugo@demo.example", "password": "x"})
    assert short.status_code == 422 and short.json["error"]["code"] == "password_too_short"
    assert call(core_app, demo, "/staff", "no-key", PIA | {"email": "ugo@demo.example"}).status_code == 201
    missing = core_app.test_client().post(
        "/api/v1/staff",
        json=PIA | {"email": "ida@demo.example"},
        headers={"Authorization": f"Bearer {demo['api_key']}"},
    )
    assert missing.status_code == 422 and missing.json["error"]["code"] == "idempotency_key_required"


def test_the_invitation_is_resent_once_per_key_and_the_old_link_dies(
    core_app: Flask, core: Core, demo: dict[str, Any], inbox: Inbox
) -> None:
    pia = call(core_app, demo, "/staff", "invite", PIA).json["id"]
    deliver_mail(core_app)
    [first] = inbox.messages
    inbox.clear()
    for _ in range(2):
        resent = call(core_app, demo, f"/staff/{pia}/invitation", "resend-1")
        assert resent.status_code == 202 and resent.json["invited"] is True
    deliver_mail(core_app)
    [second] = inbox.messages  # the replay sent none
    assert core_app.test_client().get(join_link(inbox.text(first))).status_code == 410
    assert core_app.test_client().get(join_link(inbox.text(second))).status_code == 200
    manager = member_id(core, MANAGER)
    joined = call(core_app, demo, f"/staff/{manager}/invitation", "resend-2")
    assert joined.status_code == 409 and joined.json["error"]["code"] == "already_joined"
    assert call(core_app, demo, "/staff/999999/invitation", "resend-3").status_code == 404


def test_a_reset_link_is_sent_to_an_active_member(
    core_app: Flask, core: Core, demo: dict[str, Any], inbox: Inbox
) -> None:
    manager = member_id(core, MANAGER)
    sent = call(core_app, demo, f"/staff/{manager}/reset", "reset-1")
    assert sent.status_code == 202 and sent.json["email"] == MANAGER
    deliver_mail(core_app)
    [message] = inbox.messages
    assert message["To"] == MANAGER and "/login/reset/" in inbox.text(message)
    pia = call(core_app, demo, "/staff", "invite", PIA).json["id"]
    refused = call(core_app, demo, f"/staff/{pia}/reset", "reset-2")
    assert refused.status_code == 409 and refused.json["error"]["code"] == "not_joined"
    off = core_app.test_client().patch(
        f"/api/v1/staff/{manager}",
        json={"disabled": True},
        headers={"Authorization": f"Bearer {demo['api_key']}"},
    )
    assert off.status_code == 200
    switched_off = call(core_app, demo, f"/staff/{manager}/reset", "reset-3")
    assert switched_off.status_code == 409 and switched_off.json["error"]["code"] == "member_switched_off"


def test_the_openapi_document_names_the_new_writes(core_app: Flask) -> None:
    spec = core_app.test_client().get("/api/v1/openapi.json").json
    for path in ("/api/v1/staff", "/api/v1/staff/{staff_id}/invitation", "/api/v1/staff/{staff_id}/reset"):
        operation = spec["paths"][path]["post"]
        assert {"201", "202"} & set(operation["responses"])
        assert any(parameter["name"] == "Idempotency-Key" for parameter in operation["parameters"])
    staff_in = spec["components"]["schemas"]["StaffIn"]
    assert "password" in staff_in["properties"] and "password" not in staff_in["required"]
    assert "invited" in spec["components"]["schemas"]["Staff"]["required"]
