from django.db.models.functions import Lower

from .models import Contact


def contact_by_email(email: str) -> Contact | None:
    # lower(email) = … is the expression of the unique index contact_email_unique_ci, so the
    # database finds the sender by the index; email__iexact (UPPER on PostgreSQL) scanned them all.
    return (
        Contact.objects.select_related("customer")
        .alias(email_lower=Lower("email"))
        .filter(email_lower=email.strip().lower())
        .first()
    )
