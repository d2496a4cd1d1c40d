"""SMTP delivery of queued messages through Flask-Mail."""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from flask_mail import Mail, Message

from .models import OutboundMail
from .services.mail_queue import PermanentFailure


@contextmanager
def smtp_sender(mail: Mail) -> Iterator[Callable[[OutboundMail], None]]:
    """One SMTP connection for a batch; connection trouble surfaces on the first send."""
    connection = None

    def send(message: OutboundMail) -> None:
        nonlocal connection
        if connection is None:
            opened = mail.connect()
            opened.__enter__()
            connection = opened
        try:
            connection.send(
                Message(
                    subject=message.subject,
                    recipients=[message.recipient],
                    body=message.body_text,
                    html=message.body_html,
                )
            )
        except smtplib.SMTPRecipientsRefused as error:
            # A 4xx here is "try later" (greylisting, a full mailbox): only a 5xx is for good.
            if all(500 <= code < 600 for code, _ in error.recipients.values()):
                raise PermanentFailure(str(error.recipients)) from error
            raise
        except smtplib.SMTPResponseException as error:
            if 500 <= error.smtp_code < 600:
                raise PermanentFailure(f"{error.smtp_code} {error.smtp_error!r}") from error
            raise

    try:
        yield send
    finally:
        if connection is not None:
            with suppress(OSError, smtplib.SMTPException):
                connection.__exit__(None, None, None)  # type: ignore[arg-type]
