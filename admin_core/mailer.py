"""SMTP delivery of queued messages through Flask-Mail."""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from email.utils import parseaddr

from flask_mail import Connection, Mail, Message

from .services.mail_queue import Letter, PermanentFailure


class _TimedConnection(Connection):
    """Flask-Mail's connection with a timeout on every exchange: a server that takes the connection
    and never answers fails the attempt instead of holding the worker (and its lease) forever."""

    def __init__(self, mail: Mail, timeout: float) -> None:
        super().__init__(mail.connect().mail)
        self.timeout = timeout

    def configure_host(self) -> smtplib.SMTP:
        state = self.mail
        smtp = smtplib.SMTP_SSL if state.use_ssl else smtplib.SMTP
        host = smtp(state.server, state.port, timeout=self.timeout)
        host.set_debuglevel(int(state.debug))
        if state.use_tls:
            host.starttls()
        if state.username and state.password:
            host.login(state.username, state.password)
        return host


def message_id(letter: Letter, sender: str | tuple[str, str]) -> str:
    """One Message-ID for every attempt at a queued message: should SMTP's at-least-once hand it
    over twice (a connection lost before the server's 250), mail software sees one message."""
    address = sender[1] if isinstance(sender, tuple) else parseaddr(sender)[1]
    domain = address.rpartition("@")[2] or "localhost"
    return f"<mail-{letter.reference}@{domain}>"


def _hand_over(connection: Connection, outgoing: Message) -> None:
    try:
        connection.send(outgoing)
    except smtplib.SMTPRecipientsRefused as error:
        # A 4xx here is "try later" (greylisting, a full mailbox): only a 5xx is for good.
        if all(500 <= code < 600 for code, _ in error.recipients.values()):
            raise PermanentFailure(str(error.recipients)) from error
        raise
    except smtplib.SMTPResponseException as error:
        if 500 <= error.smtp_code < 600:
            raise PermanentFailure(f"{error.smtp_code} {error.smtp_error!r}") from error
        raise


@contextmanager
def smtp_sender(mail: Mail, timeout: float) -> Iterator[Callable[[Letter], None]]:
    """One SMTP connection for a batch, opened on the first send and again after the server drops
    it; when connecting fails, the rest of the batch fails with it rather than waiting `timeout`
    seconds once per message."""
    connection: Connection | None = None
    unreachable: Exception | None = None

    def send(letter: Letter) -> None:
        nonlocal connection, unreachable
        if unreachable is not None:
            raise unreachable.with_traceback(None)
        if connection is None:
            try:
                connection = _TimedConnection(mail, timeout).__enter__()
            except Exception as error:
                unreachable = error
                raise
        outgoing = Message(
            subject=letter.subject,
            recipients=[letter.recipient],
            body=letter.text,
            html=letter.html,
        )
        outgoing.msgId = message_id(letter, outgoing.sender)
        try:
            _hand_over(connection, outgoing)
        finally:
            if connection.host is None or connection.host.sock is None:
                connection = None  # smtplib closed it: only this message waits for a retry

    try:
        yield send
    finally:
        if connection is not None:
            with suppress(OSError, smtplib.SMTPException):
                connection.__exit__(None, None, None)  # type: ignore[arg-type]
