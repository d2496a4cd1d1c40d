"""`flask core send-pushes`: tell the devices that registered a pass that it changed."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from .apns import apns_sender
from .cli_context import command_core, stop_requested
from .services.wallet_push import BATCH, deliver_due


@click.command("send-pushes")
@with_appcontext
@click.option("--once", is_flag=True, help="Send what is due now, then exit.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between looks at the queue.")
def send_pushes_command(once: bool, interval: float) -> None:
    """Send the queued Apple Wallet pushes through APNs, retrying with back-off, until stopped."""
    core = command_core()
    stopping = (lambda: False) if once else stop_requested()
    while not stopping():
        with apns_sender(core) as send:
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
