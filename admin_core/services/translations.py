"""The admin's texts in the languages their portal offers besides the default
(loyalty_common/texts.py). Each text is checked as its default-language field is; a blank one is
left out, so that language shows the default's."""

from __future__ import annotations

from collections.abc import Mapping

from loyalty_common.texts import Translations

from ..models import Merchant

Problems = dict[str, tuple[str, str]]


def other_languages(merchant: Merchant) -> tuple[str, ...]:
    """The languages a text may be translated into: the offered ones but the default."""
    offered = merchant.offered_locales.split(",")
    return tuple(locale for locale in offered if locale and locale != merchant.default_locale)


def problem_key(locale: str, field: str) -> str:
    """Where a translation's problem is said: the API's `translations.it.name`."""
    return f"translations.{locale}.{field}"


def checked_translations(
    given: Translations | None, limits: Mapping[str, int], languages: tuple[str, ...], problems: Problems
) -> dict[str, dict[str, str]]:
    """The translations to store, trimmed; what is wrong goes into `problems` by `problem_key`.
    `limits`: the most characters of each field that may be translated."""
    kept: dict[str, dict[str, str]] = {}
    for locale, texts in (given or {}).items():
        if locale not in languages:
            offered = ", ".join(languages) or "-"
            problems[f"translations.{locale}"] = (
                "language_not_offered",
                f"Texts can be translated into the portal's other languages: {offered}.",
            )
            continue
        for field, text in texts.items():
            if field not in limits:
                problems[problem_key(locale, field)] = ("invalid_field", "This text cannot be translated.")
            elif len(text.strip()) > limits[field]:
                problems[problem_key(locale, field)] = (
                    "text_too_long",
                    f"At most {limits[field]} characters.",
                )
            elif text.strip():
                kept.setdefault(locale, {})[field] = text.strip()
    return kept
