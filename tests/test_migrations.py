"""The migrations are the only way to the schema, and they agree with the models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from admin_core.database import Base, Database
from admin_core.migrate import alembic_config, upgrade

from .databases import new_database

pytestmark = pytest.mark.both_backends  # the migrations and the models must agree on each backend's schema


def test_models_and_migrations_agree(migrated: Database) -> None:
    with migrated.bind.connect() as connection:  # type: ignore[union-attr]
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def old_merchant(database: Database) -> int:
    """A merchant in the merchants table as an early revision had it: not as the models write it now."""
    with database.bind.begin() as connection:  # type: ignore[union-attr]
        return int(
            connection.execute(
                text(
                    "INSERT INTO merchants (slug, name, portal_enabled, currency, default_locale, timezone,"
                    " tier_period_months, card_prefix, terms_version, privacy_version, marketing_version,"
                    " created_at, header_text, footer_text, accent_color, accent_text_color, offered_locales,"
                    " embed_origins, points_per_unit) VALUES ('m', 'M', true, 'EUR', 'en', 'UTC', 12, '9',"
                    " '1', '1', '1', CURRENT_TIMESTAMP, '', '', '#000000', '#ffffff', 'en', '[]', 1)"
                    " RETURNING id"
                )
            ).scalar_one()
        )


def test_downgrade_to_nothing_and_up_again(tmp_path: object) -> None:
    database = Database.from_url(f"sqlite:///{tmp_path}/fresh.sqlite3")
    upgrade(database)
    command.downgrade(alembic_config(database), "base")
    upgrade(database)
    with database.bind.connect() as connection:  # type: ignore[union-attr]
        assert MigrationContext.configure(connection).get_current_revision() is not None
    database.dispose()


def test_imports_checked_in_their_request_keep_their_state(tmp_path: object) -> None:
    """0008: an import made before the queue was checked already; an applied one stays applied."""
    database = Database.from_url(f"sqlite:///{tmp_path}/before.sqlite3")
    upgrade(database, "0007")
    merchant_id = old_merchant(database)
    with database.bind.begin() as connection:  # type: ignore[union-attr]
        for number, applied in ((1, None), (2, "2026-11-30 10:00:00")):
            connection.execute(
                text(
                    "INSERT INTO customer_imports (id, merchant_id, filename, digest, content, report, "
                    "created_at, applied_at) VALUES (:id, :merchant, 'c.csv', '', X'00', '{}', "
                    "'2026-11-30 09:00:00', :applied)"
                ),
                {"id": number, "merchant": merchant_id, "applied": applied},
            )
    upgrade(database)
    with database.bind.connect() as connection:  # type: ignore[union-attr]
        rows = connection.execute(
            text("SELECT id, status, checked_at IS NOT NULL, attempts FROM customer_imports ORDER BY id")
        ).all()
    assert [tuple(row) for row in rows] == [(1, "checked", 1, 0), (2, "applied", 1, 0)]
    database.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/before-search.sqlite3"
    else:
        yield from new_database("postgresql", tmp_path)


def test_the_search_keys_of_customers_already_there_are_filled_in(fresh_url: str) -> None:
    database = Database.from_url(fresh_url)
    upgrade(database, "0008")
    merchant_id = old_merchant(database)
    with database.bind.begin() as connection:  # type: ignore[union-attr]
        for id, first, last, email, phone, source in (
            (1, "José", "Ødegård", "Jose@Example.com", "0039 333 12", "portal_join"),
            (2, "Ida", "", None, None, "wifi"),
            (3, "Ugo", "Neri", None, "+39 02", None),
        ):
            connection.execute(
                text(
                    "INSERT INTO customers (id, merchant_id, first_name, last_name, email, phone,"
                    " marketing_consent, notify_email, notify_sms, created_at)"
                    " VALUES (:id, :m, :first, :last, :email, :phone, false, true, false, CURRENT_TIMESTAMP)"
                ),
                {"id": id, "m": merchant_id, "first": first, "last": last, "email": email, "phone": phone},
            )
            if source is not None:
                connection.execute(
                    text(
                        "INSERT INTO consent_records (customer_id, kind, granted, version, source,"
                        " created_at) VALUES (:id, 'terms', true, '1', :source, CURRENT_TIMESTAMP)"
                    ),
                    {"id": id, "source": source},
                )
    upgrade(database)
    with database.bind.connect() as connection:  # type: ignore[union-attr]
        rows = connection.execute(
            text(
                "SELECT search_name, search_name_reversed, search_email, search_phone, source"
                " FROM customers ORDER BY id"
            )
        ).all()
    database.dispose()
    assert [tuple(row) for row in rows] == [
        ("jose odegard", "odegard jose", "jose@example.com", "3933312", "web"),
        ("ida", "ida", None, None, "wifi"),
        ("ugo neri", "neri ugo", None, "3902", None),
    ]


def test_tiers_campaigns_and_stores_already_there_keep_their_meaning(tmp_path: object) -> None:
    """0013: a tier multiplies by 1 and promises nothing, a campaign multiplies nothing at every
    store, a store uses the merchant's rate, no operation is a void."""
    database = Database.from_url(f"sqlite:///{tmp_path}/before-program.sqlite3")
    upgrade(database, "0009")
    with database.bind.begin() as connection:  # type: ignore[union-attr]
        connection.execute(
            text(
                "INSERT INTO merchants (id, slug, name, portal_enabled, currency, default_locale, timezone, "
                "tier_period_months, card_prefix, terms_version, privacy_version, marketing_version, "
                "created_at) VALUES (1, 'm', 'M', 0, 'EUR', 'en', 'UTC', 12, '9', '1', '1', '1', "
                "'2026-11-30 09:00:00')"
            )
        )
        connection.execute(text("INSERT INTO stores (id, merchant_id, code, name) VALUES (1, 1, 'S', 'S')"))
        connection.execute(
            text("INSERT INTO tiers (id, merchant_id, name, threshold) VALUES (1, 1, 'Gold', 100)")
        )
        connection.execute(
            text(
                "INSERT INTO campaigns (id, merchant_id, name, starts_at, ends_at) "
                "VALUES (1, 1, 'C', '2026-11-01 00:00:00', '2026-12-31 00:00:00')"
            )
        )
    upgrade(database)
    with database.bind.connect() as connection:  # type: ignore[union-attr]
        tier = connection.execute(text("SELECT benefits, multiplier_percent FROM tiers")).one()
        campaign = connection.execute(text("SELECT multiplier_percent FROM campaigns")).one()
        store = connection.execute(text("SELECT points_per_unit FROM stores")).one()
        linked = connection.execute(text("SELECT count(*) FROM campaign_stores")).scalar()
    assert (tuple(tier), tuple(campaign), tuple(store), linked) == (("", 100), (None,), (None,), 0)
    database.dispose()
