"""`flask core send-pushes`: tell the devices that registered a pass that it changed, and patch the
cards' Google Wallet objects."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from flask.cli import with_appcontext

from .apns import apns_sender
from .cli_context import command_core, stop_requested
from .context import Core
from .google_wallet import TokenCache, google_sender
from .services.wallet_push import BATCH, DuePush, deliver_due


@contextmanager
def wallet_sender(core: Core, tokens: TokenCache) -> Iterator[Callable[[DuePush], None]]:
    """Each push to its wallet: Apple's through APNs, Google's through the Wallet API."""
    with apns_sender(core) as apple, google_sender(core, tokens) as google:

        def send(push: DuePush) -> None:
            (google if push.google_object_id is not None else apple)(push)

        yield send


@click.command("send-pushes")
@with_appcontext
@click.option("--once", is_flag=True, help="Send what is due now, then exit.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between looks at the queue.")
def send_pushes_command(once: bool, interval: float) -> None:
    """Send the queued Apple Wallet pushes through APNs and the Google Wallet patches through
    Google's API, retrying with back-off, until stopped."""
    core = command_core()
    tokens = TokenCache()
    stopping = (lambda: False) if once else stop_requested()
    while not stopping():
        with wallet_sender(core, tokens) as send:
            report = deliver_due(core.db, send, limit=BATCH)
        if report.handled:
            click.echo(
                f"sent {report.sent}, retrying {report.retrying}, failed {report.failed}, "
                f"devices gone {report.gone}",
                err=True,
            )
        if report.handled < BATCH:
            if once:
                return
            time.sleep(interval)
