from .models import Contact


def contact_by_email(email: str) -> Contact | None:
    return Contact.objects.select_related("customer").filter(email__iexact=email.strip()).first()
