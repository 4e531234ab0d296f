"""Held, quarantined and refused mail: the agents' review of what the mail gateway kept aside."""

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_stubs_ext import StrOrPromise

from santacare.accounts.access import AuthenticatedRequest, agent_required
from santacare.core.paging import Page, keyset_page, query_with
from santacare.mailgate.models import InboundMail
from santacare.mailgate.queries import NOT_IN_A_TICKET, mail_for_review, mail_not_in_tickets
from santacare.mailgate.review import open_ticket_from_mail, release_held_mail

MAIL_PAGE_SIZE = 100
REVIEW = "review"
# A tab names a list, so its label is plural ("Hylätyt"); a mail's own state stays singular.
TAB_LABELS: dict[str, StrOrPromise] = {
    InboundMail.Outcome.REFUSED: pgettext_lazy("mail review tab", "Refused"),
    InboundMail.Outcome.REDIRECTED: pgettext_lazy("mail review tab", "Redirected to the NOC"),
    InboundMail.Outcome.IGNORED: pgettext_lazy("mail review tab", "Ignored (automatic mail)"),
}


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
    the NOC, ignored."""
    shown = request.GET.get("outcome", "")
    if shown == REVIEW:
        mails = mail_for_review()
    elif shown in NOT_IN_A_TICKET:
        mails = mail_not_in_tickets(shown)
    else:
        shown, mails = "", mail_not_in_tickets()
    page = _page(mails, request, shown or "all")
    tabs: list[tuple[str, StrOrPromise]] = [("", _("All")), (REVIEW, _("To review"))]
    tabs += [(o.value, TAB_LABELS.get(o, o.label)) for o in NOT_IN_A_TICKET if o in TAB_LABELS]
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
    if not mail.is_held:
        messages.info(request, _("This mail is no longer held: someone has already dealt with it."))
        return redirect("desk:mail")
    outcome = release_held_mail(mail, by=request.user)
    result = InboundMail.Outcome(outcome.outcome).label if outcome.outcome else ""
    if outcome.tracking_number:
        result = f"{result} {outcome.tracking_number}".strip()
    messages.success(request, _("The mail was released: %(result)s.") % {"result": result or "–"})
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
