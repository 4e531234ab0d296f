from django.db.models import Q, QuerySet

from .models import InboundMail


def mail_for_review() -> QuerySet[InboundMail]:
    """The agents' quarantine list: held or quarantined mail nobody has reviewed yet."""
    return (
        InboundMail.objects.filter(Q(is_held=True) | Q(is_quarantined=True), reviewed_at=None)
        .select_related("ticket")
        .defer("raw")
        .order_by("-received_at", "-id")
    )


def refused_mail() -> QuerySet[InboundMail]:
    """Mail refused lately and not yet looked at, with the reasons; held or quarantined mail
    is on the review list instead."""
    return (
        InboundMail.objects.filter(outcome=InboundMail.Outcome.REFUSED, reviewed_at=None)
        .exclude(Q(is_held=True) | Q(is_quarantined=True))
        .select_related("ticket")
        .defer("raw")
        .order_by("-received_at", "-id")
    )
