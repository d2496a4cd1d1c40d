"""The customer's stamp cards: a grid of filled and empty stamps on the dashboard, said in words
("7 of 10 coffee"), and the stamps in the history."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from admin_core.context import Core
from admin_core.models import Reward
from admin_core.services.merchants import get_merchant
from admin_core.services.staff import StaffScope
from admin_core.services.stamp_cards import StampCardDetails, create_stamp_card, update_stamp_card
from admin_core.services.stamping import give_stamps

from .conftest import login

CARD, PASSWORD = "7000100001", "demo-password"


def coffee(core: Core, needed: int = 10) -> tuple[StaffScope, int, int]:
    with core.db.read() as session:
        scope = StaffScope.merchant(get_merchant(session, "demo").id)
        espresso = session.scalar(select(Reward.id).where(Reward.name == "Espresso"))
        assert espresso is not None
    made = create_stamp_card(core.db, scope, StampCardDetails("coffee", needed, espresso))
    return scope, made.id, espresso


def stamp(core: Core, scope: StaffScope, stamp_card_id: int, count: int) -> None:
    with core.db.write() as session:
        give_stamps(session, scope, CARD, stamp_card_id, count, "MAIN")


def test_the_dashboard_shows_the_stamps_in_a_grid_and_in_words(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    scope, card, _reward = coffee(core)
    stamp(core, scope, card, 7)
    login(client, CARD, PASSWORD)
    page = client.get("/p/demo/").text
    assert "7 of 10 coffee" in page and "3 more for: Espresso" in page
    grid = re.search(r'<ol class="stamps" aria-hidden="true">(.*?)</ol>', page)
    assert grid is not None
    assert grid.group(1).count('class="filled"') == 7 and grid.group(1).count('class="empty"') == 3


def test_a_switched_off_stamp_card_is_not_shown(
    client: FlaskClient, core: Core, demo: dict[str, Any]
) -> None:
    scope, card, reward = coffee(core)
    update_stamp_card(core.db, scope, card, StampCardDetails("coffee", 10, reward), active=False)
    login(client, CARD, PASSWORD)
    assert "coffee" not in client.get("/p/demo/").text


def test_the_history_says_the_stamps_in_words(client: FlaskClient, core: Core, demo: dict[str, Any]) -> None:
    scope, card, _reward = coffee(core, needed=3)
    stamp(core, scope, card, 1)
    stamp(core, scope, card, 2)
    login(client, CARD, PASSWORD)
    page = client.get("/p/demo/history").text
    assert "1 stamp on your coffee card" in page and "2 stamps on your coffee card" in page
    assert "0 of 3 coffee" in client.get("/p/demo/").text
