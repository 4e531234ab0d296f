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


# The outcomes of mail that did not become a message on a ticket, and so needs a person's eye.
# A duplicate is not among them: a second delivery of a stored mail adds no row, it only
# answers with the first delivery's outcome, so there is nothing of its own to review.
NOT_IN_A_TICKET = (
    InboundMail.Outcome.REFUSED,
    InboundMail.Outcome.REDIRECTED,
    InboundMail.Outcome.IGNORED,
    InboundMail.Outcome.QUARANTINED,
)


def mail_not_in_tickets(outcome: str = "") -> QuerySet[InboundMail]:
    """Mail that became no ticket message and nobody has dealt with yet (released, or turned
    into a ticket): held or quarantined, or with one of NOT_IN_A_TICKET as its outcome (only
    that one, when `outcome` names it), newest first."""
    if outcome in NOT_IN_A_TICKET:
        condition = Q(outcome=outcome)
    else:
        condition = Q(is_held=True) | Q(is_quarantined=True) | Q(outcome__in=NOT_IN_A_TICKET)
    return (
        InboundMail.objects.filter(condition, reviewed_at=None)
        .select_related("ticket")
        .defer("raw")
        .order_by("-received_at", "-id")
    )
