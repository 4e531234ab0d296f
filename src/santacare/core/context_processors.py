from django.conf import settings
from django.http import HttpRequest


def desk_contacts(request: HttpRequest) -> dict[str, str]:
    """The phone number and addresses every page may need to show (R8, R10, R15)."""
    return {
        "SUPPORT_PHONE": settings.SUPPORT_PHONE,
        "SUPPORT_EMAIL": settings.SUPPORT_EMAIL,
        "PORTAL_SUPPORT_EMAIL": settings.PORTAL_SUPPORT_EMAIL,
    }
