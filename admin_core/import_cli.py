"""`flask core import-customers SLUG FILE [--apply]`: a customers file (CSV or XLSX) checked, and
with --apply imported, here and now. Rejected rows are part of a normal report (exit code 0); only
a file that cannot be read, or a merchant that does not exist, is a failure.

`flask core run-imports [--once]`: the worker that checks and applies what the API and the staff
UI queued (see services/import_queue)."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import with_appcontext

from .cli_context import command_core, stop_requested
from .errors import CoreError
from .models import CustomerImport
from .services.customer_import import apply_import, dry_run
from .services.import_queue import run_next
from .services.merchants import get_merchant


def _echo_report(upload: CustomerImport) -> None:
    report = upload.report or {}
    if upload.applied_at is None:
        state, created = "dry run, nothing imported yet (--apply imports it)", "to create"
    else:
        state, created = f"applied {upload.applied_at:%Y-%m-%d %H:%M} UTC", "created"
    click.echo(f"{upload.filename} (import {upload.id}): {state}")
    click.echo(
        f"  {report['rows']} rows: {report['created']} {created}, {report['unchanged']} unchanged "
        f"(card already here), {report['rejected']} rejected"
    )
    if report["unknown_columns"]:
        click.echo(f"  unknown columns, ignored: {', '.join(report['unknown_columns'])}")
    for rejection in report["rejections"]:
        for problem in rejection.get("problems") or [rejection]:
            click.echo(
                f"  line {rejection['line']}: card {rejection['card'] or '-'}: "
                f"{problem['code']}: {problem['message']}"
            )


@click.command("import-customers")
@with_appcontext
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--apply", "apply_now", is_flag=True, help="Import the file's new cards after the dry run.")
def import_customers_command(slug: str, file: Path, apply_now: bool) -> None:
    """Check FILE (CSV or XLSX) of customers for merchant SLUG and print the report; --apply
    imports it. Cards the merchant has already are left unchanged, so running it again is safe."""
    db = command_core().db
    try:
        with db.read() as session:
            merchant_id = get_merchant(session, slug).id
        upload = dry_run(db, merchant_id, file.name, file.read_bytes())
        if apply_now:
            upload = apply_import(db, merchant_id, upload.id)
    except CoreError as error:
        raise click.ClickException(f"{error.message} ({error.code})") from None
    except OSError as error:
        raise click.ClickException(f"{file} cannot be read: {error.strerror}") from None
    _echo_report(upload)


@click.command("run-imports")
@with_appcontext
@click.option("--once", is_flag=True, help="Run what is queued now, then exit.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between looks at the queue.")
def run_imports_command(once: bool, interval: float) -> None:
    """Check and apply the customer imports uploaded through the API and the staff UI, one at a
    time, until stopped; run one or more beside the server."""
    db = command_core().db
    stopping = (lambda: False) if once else stop_requested()
    while not stopping():
        upload = run_next(db)
        if upload is not None:
            click.echo(f"import {upload.id}: {upload.status.value} handled", err=True)
        elif once:
            return
        else:
            time.sleep(interval)
