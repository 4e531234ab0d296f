"""Held, quarantined and refused mail: the agents' review of what the mail gateway kept aside."""

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_stubs_ext import StrOrPromise

from santacare.accounts.access import AuthenticatedRequest, agent_required
from santacare.core.paging import Page, keyset_page, query_with
from santacare.mailgate.models import InboundMail
from santacare.mailgate.queries import NOT_IN_A_TICKET, mail_for_review, mail_not_in_tickets
from santacare.mailgate.review import open_ticket_from_mail, release_held_mail

MAIL_PAGE_SIZE = 100
REVIEW = "review"


def _page(
    mails: QuerySet[InboundMail], request: AuthenticatedRequest, name: str
) -> Page[InboundMail]:
    return keyset_page(
        mails,
        order=("-received_at", "-id"),
        size=MAIL_PAGE_SIZE,
        cursor=request.GET.get("after", ""),
        salt=f"desk.mail.{name}",
    )


@require_GET
@agent_required
def mail_review(request: AuthenticatedRequest) -> HttpResponse:
    """Every mail that did not become a ticket message, with the translated reasons; or only
    what waits for a decision (held or quarantined), or one outcome: refused, redirected to
    the NOC, ignored, duplicate."""
    shown = request.GET.get("outcome", "")
    if shown == REVIEW:
        mails = mail_for_review()
    elif shown in NOT_IN_A_TICKET:
        mails = mail_not_in_tickets(shown)
    else:
        shown, mails = "", mail_not_in_tickets()
    page = _page(mails, request, shown or "all")
    tabs: list[tuple[str, StrOrPromise]] = [("", _("All")), (REVIEW, _("To review"))]
    tabs += [(o.value, o.label) for o in NOT_IN_A_TICKET if o != InboundMail.Outcome.QUARANTINED]
    context = {
        "mails": page.items,
        "outcome": shown,
        "outcome_tabs": tabs,
        "next_query": query_with(request.GET, after=page.next_cursor),
        "previous_query": query_with(request.GET, after=page.previous_cursor),
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
