"""Merchant-written texts in several languages: what is kept, what is refused, what is shown."""

from __future__ import annotations

from types import SimpleNamespace

from admin_core.models import Merchant
from admin_core.services.translations import checked_translations, other_languages
from loyalty_common.texts import in_language, translated

LIMITS = {"name": 10, "description": 50}


def test_a_language_left_out_or_blank_shows_the_default() -> None:
    texts = {"it": {"name": "Caffè", "description": ""}}
    assert in_language("Coffee", texts, "it", "name") == "Caffè"
    assert in_language("Free", texts, "it", "description") == "Free"
    assert in_language("Coffee", texts, "bg", "name") == "Coffee"
    assert in_language("Coffee", None, "it", "name") == "Coffee"
    assert translated(SimpleNamespace(name="Coffee", translations=texts), "name", "it") == "Caffè"
    assert translated(SimpleNamespace(name="Coffee"), "name", "it") == "Coffee"


def test_the_languages_are_the_offered_ones_but_the_default() -> None:
    merchant = Merchant(offered_locales="en,it,nb", default_locale="it")
    assert other_languages(merchant) == ("en", "nb")


def test_texts_are_kept_trimmed_and_blank_ones_left_out() -> None:
    problems: dict[str, tuple[str, str]] = {}
    kept = checked_translations(
        {"it": {"name": " Caffè ", "description": "  "}, "nb": {"name": ""}}, LIMITS, ("it", "nb"), problems
    )
    assert (kept, problems) == ({"it": {"name": "Caffè"}}, {})


def test_each_wrong_text_is_said_at_its_language_and_field() -> None:
    problems: dict[str, tuple[str, str]] = {}
    checked_translations(
        {"it": {"name": "x" * 11, "picture": "p"}, "en": {"name": "Coffee"}, "fr": {"name": "Café"}},
        LIMITS,
        ("it",),
        problems,
    )
    assert {key: code for key, (code, _message) in problems.items()} == {
        "translations.it.name": "text_too_long",
        "translations.it.picture": "invalid_field",
        "translations.en": "language_not_offered",
        "translations.fr": "language_not_offered",
    }
