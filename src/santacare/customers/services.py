"""Portal access requests (R11): accounts only for the technical contacts a customer has named.

A request whose email is a technical contact on record for the company of that business ID gets
a verification link by mail: following it proves the address, and the person chooses a password.
A known non-technical contact (an end user) is refused at once, politely. Anyone else waits for
an agent, who approves (recording the person as a technical contact) or declines with a reason.
"""

import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from enum import StrEnum
from typing import Any

from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.core.signing import BadSignature, SignatureExpired, TimestampSigner
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from santacare.accounts.models import User
from santacare.core.errors import CodedError
from santacare.core.text import clean_line
from santacare.core.time import now
from santacare.outbox.services import queue_mail

from .models import AccessRequest, Contact, Customer, Language
from .queries import contact_by_email

logger = logging.getLogger(__name__)

TOKEN_MAX_AGE = timedelta(days=3)
# One verification mail per address in this window: the form cannot be used to flood a mailbox
# (the mail-flooding hole Zammad fixed as CVE-2022-35488).
RESEND_INTERVAL = timedelta(minutes=10)
_signer = TimestampSigner(salt="santacare.customers.access-request")

VerifyUrl = Callable[[str], str]


class AccessRequestCode(StrEnum):
    LINK_USED = "link_used"
    CONTACT_GONE = "contact_gone"
    AGENT_LOGIN = "agent_login"
    NOT_PENDING = "not_pending"
    UNKNOWN_CUSTOMER = "unknown_customer"
    OTHER_CUSTOMERS_CONTACT = "other_customers_contact"


_ACCESS_TEXTS = {
    AccessRequestCode.LINK_USED: gettext_lazy("This link has already been used."),
    AccessRequestCode.CONTACT_GONE: gettext_lazy(
        "The contact this link was for is no longer on record."
    ),
    AccessRequestCode.AGENT_LOGIN: gettext_lazy(
        "This address belongs to a SantaCare staff login; it cannot become a portal account."
    ),
    AccessRequestCode.NOT_PENDING: gettext_lazy(
        "Only a request waiting for an agent can be approved or declined."
    ),
    AccessRequestCode.UNKNOWN_CUSTOMER: gettext_lazy(
        "No customer has business ID %(id)s: record the customer first."
    ),
    AccessRequestCode.OTHER_CUSTOMERS_CONTACT: gettext_lazy(
        "This email address belongs to a contact of another customer."
    ),
}


class AccessRequestError(CodedError):
    """A step of an access request that cannot be taken (link spent, already decided, …);
    channels switch on `code`, people read `message`."""

    texts = _ACCESS_TEXTS


def verification_token(access_request: AccessRequest) -> str:
    """The signed token of the activation link (valid for TOKEN_MAX_AGE)."""
    return _signer.sign(str(access_request.pk))


@transaction.atomic
def request_portal_access(
    *,
    company_name: str,
    business_id: str,
    name: str,
    email: str,
    phone: str,
    job_role: str,
    language: str,
    verify_url: VerifyUrl,
) -> AccessRequest:
    """Record the request and decide what happens next; the returned status says what did."""
    email = email.strip().lower()
    request = AccessRequest(
        company_name=clean_line(company_name, max_length=200),
        business_id=clean_line(business_id, max_length=9),
        name=clean_line(name, max_length=200),
        email=email,
        phone=clean_line(phone, max_length=40),
        job_role=clean_line(job_role, max_length=200),
        language=language if language in Language.values else Language.FINNISH,
    )
    request.customer = Customer.objects.filter(
        business_id=request.business_id, is_active=True
    ).first()
    contact = contact_by_email(email)
    # On record means a contact of the very company the business ID names.
    if contact is not None and (
        request.customer is None or contact.customer_id != request.customer.pk
    ):
        contact = None
    if contact is not None and not contact.is_technical:
        # R11: end users are not served; the page tells them whom to ask.
        request.contact, request.status = contact, AccessRequest.Status.REFUSED
    elif contact is not None and contact.is_active:
        request.contact = contact
        request.status = AccessRequest.Status.AWAITING_VERIFICATION
    else:
        request.status = AccessRequest.Status.PENDING
    recently_sent = AccessRequest.objects.filter(
        email=email,
        status=AccessRequest.Status.AWAITING_VERIFICATION,
        created_at__gt=now() - RESEND_INTERVAL,
    ).exists()
    request.save()
    if request.status == AccessRequest.Status.AWAITING_VERIFICATION and not recently_sent:
        _mail_link(request, verify_url)
    return request


def access_request_for_token(token: str) -> AccessRequest | None:
    """The request a verification link stands for, if the link is genuine, fresh and unused."""
    try:
        pk = int(_signer.unsign(token, max_age=TOKEN_MAX_AGE))
    except (BadSignature, SignatureExpired, ValueError):
        return None
    return (
        AccessRequest.objects.select_related("contact", "contact__user", "customer")
        .filter(
            pk=pk,
            status__in=[AccessRequest.Status.AWAITING_VERIFICATION, AccessRequest.Status.APPROVED],
            contact__isnull=False,
        )
        .first()
    )


def activation_form(contact: Contact, *, data: Mapping[str, Any] | None) -> "SetPasswordForm[User]":
    """The choose-a-password form; it validates against the person's own name and address."""
    user = contact.user or User(email=contact.email, full_name=contact.name)
    return SetPasswordForm(user, data)


@transaction.atomic
def activate_account(access_request: AccessRequest, *, password: str) -> User:
    """Create (or re-open) the person's portal login; the link is spent afterwards."""
    locked = AccessRequest.objects.select_for_update().get(pk=access_request.pk)
    if locked.status not in (
        AccessRequest.Status.AWAITING_VERIFICATION,
        AccessRequest.Status.APPROVED,
    ):
        raise AccessRequestError(AccessRequestCode.LINK_USED)
    if locked.contact_id is None:
        # The contact was deleted after the link went out: there is nobody to open a login for.
        raise AccessRequestError(AccessRequestCode.CONTACT_GONE)
    contact = Contact.objects.select_for_update().get(pk=locked.contact_id)
    user = contact.user or User.objects.filter(email__iexact=contact.email).first()
    if user is None:
        user = User(email=contact.email)
    if user.pk and user.role != User.Role.CUSTOMER:
        raise AccessRequestError(AccessRequestCode.AGENT_LOGIN)
    user.full_name = user.full_name or contact.name
    user.language = contact.language
    user.is_active = True
    user.set_password(password)
    user.save()
    contact.user = user
    contact.save(update_fields=["user", "updated_at"])
    locked.status = AccessRequest.Status.ACTIVATED
    locked.save(update_fields=["status", "updated_at"])
    return user


@transaction.atomic
def approve_access_request(
    access_request: AccessRequest, *, by: User, verify_url: VerifyUrl
) -> Contact:
    """An agent vouches for the person: recorded as a technical contact, sent an activation link."""
    if not by.is_agent:
        raise PermissionDenied("Only agents decide access requests.")
    locked = AccessRequest.objects.select_for_update().get(pk=access_request.pk)
    if locked.status != AccessRequest.Status.PENDING:
        raise AccessRequestError(AccessRequestCode.NOT_PENDING)
    if locked.customer is None:
        raise AccessRequestError(AccessRequestCode.UNKNOWN_CUSTOMER, id=locked.business_id)
    contact = contact_by_email(locked.email)
    if contact is not None and contact.customer_id != locked.customer_id:
        raise AccessRequestError(AccessRequestCode.OTHER_CUSTOMERS_CONTACT)
    if contact is None:
        contact = Contact(customer=locked.customer, email=locked.email)
    contact.name = contact.name or locked.name
    contact.phone = contact.phone or locked.phone
    contact.job_role = locked.job_role
    contact.language = locked.language
    contact.is_technical = True
    contact.is_active = True
    contact.save()
    locked.contact = contact
    locked.status = AccessRequest.Status.APPROVED
    locked.decided_by, locked.decided_at = by, now()
    locked.save(update_fields=["contact", "status", "decided_by", "decided_at", "updated_at"])
    _mail_link(locked, verify_url)
    access_request.refresh_from_db()
    return contact


@transaction.atomic
def decline_access_request(access_request: AccessRequest, *, by: User, reason: str) -> None:
    if not by.is_agent:
        raise PermissionDenied("Only agents decide access requests.")
    locked = AccessRequest.objects.select_for_update().get(pk=access_request.pk)
    if locked.status != AccessRequest.Status.PENDING:
        raise AccessRequestError(AccessRequestCode.NOT_PENDING)
    locked.status = AccessRequest.Status.DECLINED
    locked.decline_reason = reason.strip()
    locked.decided_by, locked.decided_at = by, now()
    locked.save(
        update_fields=["status", "decline_reason", "decided_by", "decided_at", "updated_at"]
    )
    with translation.override(locked.language):
        subject = _("Your request for SantaCare portal access")
        body = _(
            "Hello %(name)s,\n\nthank you for your request. We could not open a SantaCare "
            "portal account for you.\n\n%(reason)s\n\nPortal accounts are given to the "
            "technical contacts your company has named. Your company's technical contact or "
            "your Service Delivery Manager can help.\n\nSantaCare technical support"
        ) % {"name": locked.name, "reason": locked.decline_reason}
    _send_after_commit(locked.email, subject, body)
    access_request.refresh_from_db()


def _mail_link(access_request: AccessRequest, verify_url: VerifyUrl) -> None:
    link = verify_url(verification_token(access_request))
    with translation.override(access_request.language):
        subject = _("Activate your SantaCare portal account")
        body = _(
            "Hello %(name)s,\n\nopen this link to choose a password for the SantaCare support "
            "portal (it is valid for three days and works once):\n\n%(link)s\n\nIf you did not "
            "ask for portal access, you can ignore this message.\n\nSantaCare technical support"
        ) % {"name": access_request.name, "link": link}
    _send_after_commit(access_request.email, subject, body)


def _send_after_commit(to: str, subject: str, body: str) -> None:
    """Through the outbox: the mail commits with the request, and a down SMTP server only delays
    it (the person never has to ask again because our mail server was restarting)."""
    queue_mail(to=[to], subject=subject, body=body, kind="access_request")
