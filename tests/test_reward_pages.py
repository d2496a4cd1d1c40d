"""The staff UI's reward pages, as the merchant's admin uses them."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select

from admin_core.context import Core
from admin_core.models import Reward, RewardPicture

from .test_staff import ADMIN, log_in, post

NEW = {
    "name": "Mug",
    "description": "A big one",
    "points": "300",
    "stock": "5",
    "per_customer_limit": "",
    "active_from": "2026-01-01",
    "active_until": "",
    "stores": "MAIN",
    "voucher_valid_days": "30",
}


@pytest.fixture
def admin(core_app: Flask, demo: dict[str, Any]) -> FlaskClient:
    client = core_app.test_client()
    log_in(client, ADMIN)
    return client


def reward_count(core: Core) -> int:
    with core.db.read() as session:
        return session.scalar(select(func.count()).select_from(Reward)) or 0


def test_the_admin_creates_a_reward_adds_a_picture_and_switches_it_off(
    admin: FlaskClient, core: Core
) -> None:
    assert 'href="/rewards"' in admin.get("/").text  # in the menu
    made = post(admin, "/rewards/new", NEW)
    assert made.status_code == 302
    edit = admin.get(made.location).text
    assert "Mug" in edit
    assert re.search(r'<option (selected value="MAIN"|value="MAIN" selected)', edit)
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(picture, "PNG")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', edit)
    assert token
    uploaded = admin.post(
        f"{made.location}/picture",
        data={"csrf_token": token.group(1), "picture": (io.BytesIO(picture.getvalue()), "mug.png")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302
    page = admin.get(made.location).text
    assert "Picture saved." in page
    preview = re.search(r'<img src="([^"]+)"', page)
    assert preview
    shown = admin.get(preview.group(1))
    assert shown.status_code == 200 and shown.mimetype == "image/png"
    assert "sandbox" in shown.headers["Content-Security-Policy"]
    listing = admin.get("/rewards").text
    assert "Mug" in listing and "5 left" in listing
    reward_id = int(made.location.rsplit("/", 1)[1])
    assert post(admin, f"/rewards/{reward_id}/switch-off", {}, listing).status_code == 302
    with core.db.read() as session:
        reward = session.get_one(Reward, reward_id)
        assert (reward.active, reward.stock) == (False, 5)
        assert session.get(RewardPicture, reward_id) is not None


def test_bad_input_is_shown_at_the_field_and_nothing_is_created(admin: FlaskClient, core: Core) -> None:
    before = reward_count(core)
    answer = post(
        admin,
        "/rewards/new",
        {**NEW, "points": "0", "stock": "-1", "active_from": "2026-02-01", "active_until": "2026-01-01"},
    )
    assert answer.status_code == 422
    page = answer.text
    assert re.search(r'id="points-error">From 1 to 1,000,000 points.', page)
    assert re.search(r'id="stock-error">From 0 to 1,000,000, or empty.', page)
    assert reward_count(core) == before
    later = post(admin, "/rewards/new", {**NEW, "active_from": "2026-02-01", "active_until": "2026-01-01"})
    assert later.status_code == 422
    assert 'id="active_until-error">The last day must come after the first.' in later.text
    assert reward_count(core) == before


def test_a_bad_picture_is_refused_with_a_reason(admin: FlaskClient, core: Core) -> None:
    made = post(admin, "/rewards/new", NEW)
    page = admin.get(made.location).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token
    answer = admin.post(
        f"{made.location}/picture",
        data={"csrf_token": token.group(1), "picture": (io.BytesIO(b"not an image"), "x.png")},
        content_type="multipart/form-data",
    )
    assert "This file is not a PNG, JPEG or SVG image." in admin.get(answer.location).text
    with core.db.read() as session:
        assert session.scalar(select(func.count()).select_from(RewardPicture)) == 0
