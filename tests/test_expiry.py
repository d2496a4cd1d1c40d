"""Points lapse after the merchant's validity without activity: `core expire-points`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from admin_core.context import Core
from admin_core.models import Card, Merchant, Operation, OperationKind
from admin_core.services import utcnow
from admin_core.services.expiry import expire_points

pytestmark = pytest.mark.both_backends  # expiry selects cards by dates in SQL and locks their rows

INGRID = "7000100003"  # 90 points, last activity about eleven and a half months ago


def balance(core: Core, number: str) -> int:
    with core.db.read() as session:
        value = session.scalar(select(Card.points).where(Card.number == number))
    assert value is not None
    return value


def test_points_lapse_only_after_the_validity_and_only_once(core: Core, demo: dict[str, Any]) -> None:
    assert expire_points(core.db) == 0
    assert balance(core, INGRID) == 90
    later = utcnow() + timedelta(days=40)
    assert expire_points(core.db, later) == 1
    assert expire_points(core.db, later) == 0
    assert balance(core, INGRID) == 0
    assert balance(core, "7000100001") == 1250
    with core.db.read() as session:
        expiry = session.scalars(select(Operation).where(Operation.kind == OperationKind.EXPIRY)).all()
    assert [operation.points for operation in expiry if operation.created_at == later] == [-90]


def test_a_merchant_without_expiry_keeps_every_point(core: Core, demo: dict[str, Any]) -> None:
    with core.db.write() as session:
        session.execute(update(Merchant).values(points_validity_months=None))
    assert expire_points(core.db, utcnow() + timedelta(days=3650)) == 0
    assert balance(core, INGRID) == 90


def test_the_command_reports_what_it_did(core_app: Flask, demo: dict[str, Any]) -> None:
    result = core_app.test_cli_runner().invoke(args=["core", "expire-points"])
    assert result.exit_code == 0, result.output
    assert "Points expired on 0 card(s)." in result.output
