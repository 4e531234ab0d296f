"""Held, quarantined and refused mail: the agents' review of what the mail gateway kept aside."""

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from santacare.accounts.access import AuthenticatedRequest, agent_required
from santacare.core.paging import Page, keyset_page, query_with
from santacare.mailgate.models import InboundMail
from santacare.mailgate.queries import mail_for_review, refused_mail
from santacare.mailgate.review import open_ticket_from_mail, release_held_mail

MAIL_PAGE_SIZE = 100


def _page(
    mails: QuerySet[InboundMail], request: AuthenticatedRequest, name: str
) -> Page[InboundMail]:
    return keyset_page(
        mails,
        order=("-received_at", "-id"),
        size=MAIL_PAGE_SIZE,
        cursor=request.GET.get(name, ""),
        salt=f"desk.mail.{name}",
    )


@require_GET
@agent_required
def mail_review(request: AuthenticatedRequest) -> HttpResponse:
    """Held and quarantined mail to review, and the mail refused lately, with the reasons."""
    to_review = _page(mail_for_review(), request, "review")
    refused = _page(refused_mail(), request, "refused")
    context = {
        "to_review": to_review.items,
        "to_review_next": query_with(request.GET, review=to_review.next_cursor),
        "to_review_previous": query_with(request.GET, review=to_review.previous_cursor),
        "refused": refused.items,
        "refused_next": query_with(request.GET, refused=refused.next_cursor),
        "refused_previous": query_with(request.GET, refused=refused.previous_cursor),
        "desk_section": "mail",
    }
    return render(request, "desk/mail.html", context)


@require_POST
@agent_required
def mail_release(request: AuthenticatedRequest, mail_id: int) -> HttpResponse:
    mail = get_object_or_404(InboundMail, pk=mail_id)
    release_held_mail(mail, by=request.user)
    messages.success(request, _("The mail was released."))
    return redirect("desk:mail")


@require_POST
@agent_required
def mail_open_ticket(request: AuthenticatedRequest, mail_id: int) -> HttpResponse:
    mail = get_object_or_404(InboundMail, pk=mail_id)
    result = open_ticket_from_mail(mail, by=request.user)
    if result.ticket is None:
        messages.error(request, result.explanation())
        return redirect("desk:mail")
    return redirect("desk:ticket", tracking_number=result.ticket.tracking_number)
