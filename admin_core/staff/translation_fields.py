"""The staff forms' fields for texts written in several languages (loyalty_common/texts.py): one
more field per text and language besides the default (`name_it`, "Name (Italiano)"), filled from
and read into a row's `translations`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import Optional

from loyalty_common.texts import LANGUAGE_NAMES, Translations

from ..services.translations import problem_key

F = TypeVar("F", bound=FlaskForm)


def field_name(field: str, locale: str) -> str:
    return f"{field}_{locale}"


@dataclass(frozen=True)
class Translatable:
    """The fields of a form that may be written in each of `languages` (the merchant's offered
    languages but the default: services/translations.other_languages)."""

    fields: tuple[str, ...]
    languages: tuple[str, ...]

    def form(self, form_class: type[F]) -> type[F]:
        """`form_class` with a field per text and language, each like the text's own but optional.
        Its `translated` maps each text to its languages' field names, for the template's
        `translated(form, "name")`."""
        extra: dict[str, Any] = {"translated": {field: self._names(field) for field in self.fields}}
        for field in self.fields:
            unbound = getattr(form_class, field)
            for locale in self.languages:
                extra[field_name(field, locale)] = unbound.field_class(
                    _l("%(label)s (%(language)s)", label=unbound.args[0], language=LANGUAGE_NAMES[locale]),
                    validators=[Optional()],
                )
        return type(form_class.__name__, (form_class,), extra)

    def data(self, translations: Translations) -> dict[str, str]:
        """What the fields show for a row's `translations`."""
        return {
            field_name(field, locale): translations.get(locale, {}).get(field, "")
            for field in self.fields
            for locale in self.languages
        }

    def given(self, form: FlaskForm) -> dict[str, dict[str, str]]:
        """The translations the form was sent with (blank ones too: the service leaves them out)."""
        return {
            locale: {field: form[field_name(field, locale)].data or "" for field in self.fields}
            for locale in self.languages
        }

    def names(self) -> Mapping[str, str]:
        """The service's problem keys and the fields they are said at (messages.at_fields)."""
        return {
            problem_key(locale, field): field_name(field, locale)
            for field in self.fields
            for locale in self.languages
        }

    def _names(self, field: str) -> list[str]:
        return [field_name(field, locale) for locale in self.languages]
