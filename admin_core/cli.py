"""`flask core …`: the core's commands, also reachable through the site's app in the embedded
deployment (see cli_context)."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path

import click
from flask.cli import AppGroup

from .cli_context import command_core, command_core_app, stop_requested
from .errors import CoreError, InvalidFields
from .import_cli import import_customers_command, run_imports_command
from .mailer import smtp_sender
from .migrate import upgrade
from .models import ContactRequired, Hotspot, HotspotKind
from .services.expiry import expire_points
from .services.hotspot_settings import masked
from .services.hotspots import HotspotOptions, create_hotspot, list_hotspots
from .services.housekeeping import Retention, purge_records
from .services.mail_queue import BATCH, deliver_due
from .services.merchants import create_api_key, create_merchant, get_merchant
from .services.wifi import purge_wifi_guests
from .wallet_cli import send_pushes_command

core_cli = AppGroup("core", help="The admin core: database, demo data, e-mail delivery, merchants, hotspots.")


@core_cli.command("init-db")
def init_db() -> None:
    """Create or upgrade the schema (migrations)."""
    upgrade(command_core().db)
    click.echo("Database is at the latest schema.", err=True)


@core_cli.command("demo")
@click.option(
    "--google-key-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Offer Google Wallet with a local service account key kept in this file (made if missing).",
)
def demo(google_key_file: Path | None) -> None:
    """Load the demo merchant (idempotent); print its cards, keys and stores as JSON."""
    from .demo import SLUG, load_demo
    from .demo_wallet_google import ensure_demo_google_wallet

    app = command_core_app()
    with app.app_context():
        loaded = load_demo(command_core(), app.config["SECRET_KEY"])
        if google_key_file is not None:
            loaded["google_wallet"] = ensure_demo_google_wallet(command_core(), SLUG, google_key_file)
        click.echo(json.dumps(loaded, indent=2))


@core_cli.command("create-merchant")
@click.argument("slug")
@click.argument("name")
@click.option("--enable-portal", is_flag=True, help="Switch the customer portal on now.")
@click.option("--currency", default="EUR", show_default=True)
@click.option("--locale", "default_locale", default="en", show_default=True)
@click.option("--timezone", default="UTC", show_default=True)
def create_merchant_command(
    slug: str,
    name: str,
    enable_portal: bool,
    currency: str,
    default_locale: str,
    timezone: str,
) -> None:
    """Create a merchant."""
    try:
        create_merchant(
            command_core().db,
            slug,
            name,
            portal_enabled=enable_portal,
            currency=currency,
            default_locale=default_locale,
            timezone=timezone,
        )
    except CoreError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Merchant '{slug}' created.", err=True)


@core_cli.command("create-api-key")
@click.argument("slug", required=False)
@click.option("--site", is_flag=True, help="A key for the portal site, acting for every merchant.")
def create_api_key_command(slug: str | None, site: bool) -> None:
    """Create an API key for merchant SLUG (or --site) and print it; it is never shown again."""
    db = command_core().db
    if site == bool(slug):
        raise click.UsageError("Give a merchant SLUG, or --site, not both.")
    merchant_id = None
    if slug:
        with db.read() as session:
            try:
                merchant_id = get_merchant(session, slug).id
            except CoreError as error:
                raise click.ClickException(error.message) from None
    click.echo(create_api_key(db, merchant_id))


@core_cli.command("create-hotspot")
@click.argument("slug")
@click.argument("store")
@click.argument("kind", type=click.Choice([kind.value for kind in HotspotKind]))
@click.option("--settings", "settings_json", required=True, help="The controller's settings, as JSON.")
@click.option("--id", "public_id", help="The id in the splash address /wifi/<id> (default: random).")
@click.option("--session-minutes", type=int, help="Session length granted.")
@click.option(
    "--contact", type=click.Choice([each.value for each in ContactRequired]), help="Asked on the form."
)
@click.option("--landing-url", help="Where guests go once online.")
def create_hotspot_command(
    slug: str,
    store: str,
    kind: str,
    settings_json: str,
    public_id: str | None,
    session_minutes: int | None,
    contact: str | None,
    landing_url: str | None,
) -> None:
    """Create a hotspot for merchant SLUG's STORE; print it (secrets masked) as JSON."""
    core = command_core()
    db = core.db
    try:
        settings = json.loads(settings_json)
        with db.read() as session:
            merchant_id = get_merchant(session, slug).id
        hotspot = create_hotspot(
            db,
            merchant_id,
            store,
            HotspotKind(kind),
            settings if isinstance(settings, dict) else {},
            HotspotOptions(
                session_minutes=session_minutes,
                contact=ContactRequired(contact) if contact else None,
                landing_url=landing_url,
            ),
            public_id,
            networks=core.settings.controller_networks,
        )
    except json.JSONDecodeError as error:
        raise click.BadParameter(f"not JSON: {error}", param_hint="--settings") from None
    except CoreError as error:
        details = f" {json.dumps(error.fields)}" if isinstance(error, InvalidFields) else ""
        raise click.ClickException(error.message + details) from None
    click.echo(json.dumps(_hotspot_summary(hotspot), indent=2))


@core_cli.command("hotspots")
@click.argument("slug")
def hotspots_command(slug: str) -> None:
    """List merchant SLUG's hotspots (secrets masked) as JSON."""
    with command_core().db.read() as session:
        try:
            merchant_id = get_merchant(session, slug).id
        except CoreError as error:
            raise click.ClickException(error.message) from None
        click.echo(
            json.dumps([_hotspot_summary(each) for each in list_hotspots(session, merchant_id)], indent=2)
        )


def _hotspot_summary(hotspot: Hotspot) -> dict[str, object]:
    return {
        "id": hotspot.public_id,
        "kind": hotspot.kind.value,
        "store": hotspot.store.code,
        "splash": f"/wifi/{hotspot.public_id}",
        "settings": masked(hotspot.settings),
    }


@core_cli.command("purge-wifi-guests")
def purge_wifi_guests_command() -> None:
    """Erase Wi-Fi-only guests kept longer than their venue's retention (run daily)."""
    click.echo(f"Wi-Fi-only guests erased: {purge_wifi_guests(command_core().db)}.")


@core_cli.command("purge-records")
@click.option(
    "--import-days",
    type=click.IntRange(1),
    default=Retention.import_files.days,
    show_default=True,
    help="Days a customers file is kept (an applied one keeps its report).",
)
@click.option(
    "--days",
    type=click.IntRange(1),
    default=Retention.mail.days,
    show_default=True,
    help="Days replayable responses, delivered e-mail and spent links are kept.",
)
def purge_records_command(import_days: int, days: int) -> None:
    """Erase what is kept only for a while: replayable responses, delivered e-mail, spent one-time
    links, old customers files, logged-out sessions past their lifetime, lapsed Wi-Fi gateway
    grants (run daily)."""
    kept = timedelta(days=days)
    purged = purge_records(command_core().db, Retention(kept, kept, kept, timedelta(days=import_days)))
    click.echo(
        f"Erased: {purged.idempotency_records} replayable response(s), {purged.mail} e-mail(s), "
        f"{purged.links} link(s), {purged.import_files} customers file(s), "
        f"{purged.ended_sessions} logged-out session(s), {purged.gateway_grants} lapsed Wi-Fi grant(s)."
    )


@core_cli.command("expire-points")
def expire_points_command() -> None:
    """Expire the points of cards idle longer than their merchant's points validity (run daily)."""
    click.echo(f"Points expired on {expire_points(command_core().db)} card(s).")


@core_cli.command("send-mail")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@click.option(
    "--interval",
    default=2.0,
    show_default=True,
    help="Seconds between looks at the queue.",
)
def send_mail(once: bool, interval: float) -> None:
    """Deliver queued e-mail, retrying with back-off, until stopped."""
    app = command_core_app()
    core = command_core()
    stopping = (lambda: False) if once else stop_requested()
    with app.app_context():
        while not stopping():
            with smtp_sender(core.mail, core.settings.mail_timeout) as send:
                report = deliver_due(core.db, core.mail_seal, send, limit=BATCH)
            if report.handled:
                click.echo(
                    f"sent {report.sent}, retrying {report.retrying}, failed {report.failed}",
                    err=True,
                )
            if report.handled < BATCH:  # a short batch: nothing more is due now
                if once:
                    return
                time.sleep(interval)


core_cli.add_command(import_customers_command)
core_cli.add_command(run_imports_command)
core_cli.add_command(send_pushes_command)
