from django.conf import settings
from django.http import HttpRequest


def second_factor_policy(request: HttpRequest) -> dict[str, bool]:
    """Every page says so while staff may log in without a second factor (the embedded demo)."""
    return {"STAFF_MFA_RELAXED": not settings.MFA_REQUIRED_FOR_STAFF}
