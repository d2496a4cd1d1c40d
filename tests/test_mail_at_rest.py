"""Queued e-mail holds one-time links: a reader of the database (a backup, a replica, a support
query) must find none that works. Bodies are stored sealed and erased once delivered; the message
that arrives still carries the working link."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

import admin_core
from admin_core.context import Core
from admin_core.models import OutboundMail
from admin_core.services import mail_queue

from .conftest import deliver_mail, make_config, submit
from .smtp import Inbox
from .test_activation import ask, link_in
from .test_staff_reset import ask_for_link, mailed_link


def raw_rows(core: Core) -> list[Any]:
    """The table as any reader of the database sees it."""
    with core.db.read() as session:
        query = "SELECT recipient, subject, body_text, body_html, sent_at FROM outbound_mail ORDER BY id"
        return list(session.execute(text(query)))


def test_a_queued_activation_link_is_unreadable_and_gone_once_delivered(
    client: FlaskClient, core_app: Flask, core: Core, inbox: Inbox, demo: dict[str, Any]
) -> None:
    assert ask(client).status_code == 200
    [queued] = raw_rows(core)
    assert queued.recipient == "marco@example.com"
    stored = f"{queued.subject} {queued.body_text} {queued.body_html}"

    deliver_mail(core_app)
    link = link_in(inbox)
    token = link.rsplit("/", 1)[1]
    assert token not in stored and "/activate/" not in stored and "Marco" not in stored

    [delivered] = raw_rows(core)
    assert delivered.sent_at is not None and delivered.recipient == "marco@example.com"
    assert delivered.subject == queued.subject  # the record of what was sent, to whom
    assert delivered.body_text == "" and delivered.body_html is None

    confirmed = submit(client, link, {}, follow_redirects=True)
    assert confirmed.status_code == 200 and "Your card is active" in confirmed.text


def test_a_staff_reset_link_is_unreadable_too(
    core_app: Flask, core: Core, inbox: Inbox, demo: dict[str, Any]
) -> None:
    assert ask_for_link(core_app.test_client(), "admin@demo.example").status_code == 302
    [queued] = raw_rows(core)
    link = mailed_link(core_app, inbox)
    assert link.rsplit("/", 1)[1] not in f"{queued.body_text} {queued.body_html}"
    assert raw_rows(core)[0].body_text == ""
    assert core_app.test_client().get(link).status_code == 200


def test_a_refused_message_loses_its_body_too(core: Core) -> None:
    mail_queue.enqueue(core.db, core.mail_seal, "nobody@example.com", "Hi", "A link: https://x.test/abc")

    def refuse(_letter: mail_queue.Letter) -> None:
        raise mail_queue.PermanentFailure("550 no such user")

    assert mail_queue.deliver_due(core.db, core.mail_seal, refuse).failed == 1
    [refused] = raw_rows(core)
    assert refused.body_text == "" and refused.body_html is None


def test_a_message_sealed_under_another_key_is_given_up(db: Any, inbox: Inbox) -> None:
    before = admin_core.create_app(make_config(inbox, SECRET_KEY="the-old-key"), database=db)
    old: Core = before.extensions["loyalty_core"]
    mail_queue.enqueue(db, old.mail_seal, "someone@example.com", "Hi", "Body")
    after = admin_core.create_app(make_config(inbox, SECRET_KEY="a-new-key"), database=db)
    deliver_mail(after)
    assert inbox.messages == []
    with db.read() as session:
        [message] = session.query(OutboundMail).all()
    assert message.failed_at is not None and "key" in (message.last_error or "")
