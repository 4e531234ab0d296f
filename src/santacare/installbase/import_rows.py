"""One line of an install-base CSV file: its cleaned values and every error found in them."""

from datetime import date

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from santacare.core.text import clean_line


class Row:
    def __init__(self, raw: dict[str | None, str | None]) -> None:
        self.values = {key: clean_line(value, max_length=300) for key, value in raw.items() if key}
        self.errors: list[str] = []
        self.failed: set[str] = set()

    def error(self, column: str, message: str) -> None:
        self.failed.add(column)
        self.errors.append(message)

    def required(self, column: str) -> str:
        value = self.values[column]
        if not value:
            self.error(column, _("The column %(column)s is empty.") % {"column": column})
        return value

    def date(self, column: str) -> date | None:
        value = self.required(column)
        if not value:
            return None
        for parse in (date.fromisoformat, _finnish_date):
            try:
                return parse(value)
            except ValueError:
                continue
        self.error(
            column,
            _("%(column)s is not a date (use 2026-12-31 or 31.12.2026): %(value)s")
            % {"column": column, "value": value},
        )
        return None

    def validate(self, instance: models.Model, columns: dict[str, str]) -> None:
        """Run the model's own validation of the fields these columns fill.

        A field whose column already has an error is left out, so one mistake gives one message.
        """
        skipped = {name for name, column in columns.items() if column in self.failed}
        other_fields = {f.name for f in instance._meta.get_fields() if f.name not in columns}
        try:
            instance.full_clean(
                exclude=skipped | other_fields, validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                if name in skipped:
                    continue
                if name == NON_FIELD_ERRORS:
                    self.errors.extend(messages)
                else:
                    # Django's messages do not name the field; the column's name says which.
                    column = columns.get(name, name)
                    for message in messages:
                        self.error(column, f"{column}: {message}")


def _finnish_date(value: str) -> date:
    day, month, year = value.split(".")
    return date(int(year), int(month), int(day))
