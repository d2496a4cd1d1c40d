"""`flask core import-customers SLUG FILE [--apply]`: a customers file (CSV or XLSX) checked, and
with --apply imported. Rejected rows are part of a normal report (exit code 0); only a file that
cannot be read, or a merchant that does not exist, is a failure."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from .cli_context import command_core
from .errors import CoreError
from .models import CustomerImport
from .services.customer_import import apply_import, dry_run
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
        click.echo(
            f"  line {rejection['line']}: card {rejection['card'] or '-'}: "
            f"{rejection['code']}: {rejection['message']}"
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
