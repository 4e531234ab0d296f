from django.http import HttpRequest
from django.utils.functional import lazy

from .services import office_hours_text


def office_hours(request: HttpRequest) -> dict[str, object]:
    """`OFFICE_HOURS` in every template, rendered from the calendar in the page's language."""
    return {"OFFICE_HOURS": lazy(office_hours_text, str)()}
