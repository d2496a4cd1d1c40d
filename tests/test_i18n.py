"""Every string is in every catalogue, the catalogues match the code, and pages speak the language."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

from loyalty_common.rules import LOCALES

from .conftest import login

ROOT = Path(__file__).resolve().parent.parent


def catalogue(locale: str) -> Any:
    with open(ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po", "rb") as file:
        return read_po(file, locale=locale)


def test_catalogues_are_not_stale(tmp_path: Path) -> None:
    """Fails when the code has strings the catalogues lack (run `make translations`)."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with open(pot, "rb") as file:
        in_code = {message.id for message in read_po(file) if message.id}
    for locale in LOCALES:
        in_catalogue = {message.id for message in catalogue(locale) if message.id}
        assert in_code - in_catalogue == set(), f"{locale}: missing, run `make translations`"
        assert in_catalogue - in_code == set(), f"{locale}: obsolete, run `make translations`"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated(locale: str) -> None:
    untranslated = [m.id for m in catalogue(locale) if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []


@pytest.mark.parametrize(
    ("locale", "title", "points"),
    [
        ("en", "Points", "Points"),
        ("it", "Punti", "Punti"),
        ("bg", "Точки", "Точки"),
        ("nb", "Poeng", "Poeng"),
    ],
)
def test_dashboard_in_each_language(
    client: FlaskClient, demo: dict[str, Any], locale: str, title: str, points: str
) -> None:
    login(client, "7000100001", "demo-password")
    page = client.get("/p/demo/", headers={"Accept-Language": locale}).text
    assert f'<html lang="{locale}">' in page
    assert f"<dt>{points}</dt>" in page


def test_saved_language_beats_the_browser(client: FlaskClient, demo: dict[str, Any]) -> None:
    login(client, "7000100003", "demo-password")  # Ingrid chose Norwegian
    assert '<html lang="nb">' in client.get("/p/demo/", headers={"Accept-Language": "it"}).text


def test_a_language_can_be_chosen_on_the_page(client: FlaskClient, demo: dict[str, Any]) -> None:
    assert '<html lang="bg">' in client.get("/p/demo/login?lang=bg", headers={"Accept-Language": "it"}).text
    assert '<html lang="bg">' in client.get("/p/demo/login", headers={"Accept-Language": "it"}).text


def test_merchant_default_when_the_browser_says_nothing_we_speak(
    client: FlaskClient, demo: dict[str, Any]
) -> None:
    assert '<html lang="en">' in client.get("/p/demo/login", headers={"Accept-Language": "fr"}).text
