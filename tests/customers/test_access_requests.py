"""Portal access requests (R11): only technical contacts on record, or people an agent vouches for.

Mail goes out after commit, so tests run the on-commit callbacks to see it.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from huey.contrib.djhuey import HUEY

from santacare.accounts.models import User
from santacare.core.time import now
from santacare.customers import services
from santacare.customers.models import AccessRequest, Contact
from santacare.outbox.models import OutboundMail
from tests.factories import AgentFactory, ContactFactory, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

LINK_RE = re.compile(r"http://testserver(/portal/access/verify/[^/\s]+/)")


def ask(client, headers=None, **fields):
    data = {
        "company_name": "Alice Oy",
        "business_id": "",
        "name": "Alice",
        "email": "alice@alice.example",
        "phone": "+358 40 1234567",
        "job_role": "Network engineer",
        **fields,
    }
    return client.post("/portal/access/", data, headers=headers)


def link_in(mail) -> str:
    return LINK_RE.search(mail.body)[1]


def awaiting_verification(contact, **fields) -> AccessRequest:
    """A request whose activation link has gone out to `contact`."""
    return AccessRequest.objects.create(
        **{
            "company_name": "x",
            "business_id": contact.customer.business_id,
            "name": "x",
            "email": contact.email,
            "phone": "1",
            "job_role": "x",
            "status": AccessRequest.Status.AWAITING_VERIFICATION,
            "contact": contact,
            "customer": contact.customer,
            **fields,
        }
    )


def activate(client, request, password, **options):
    """The person follows the link and chooses a password, from an English browser."""
    return client.post(
        f"/portal/access/verify/{services.verification_token(request)}/",
        {"new_password1": password, "new_password2": password},
        headers={"accept-language": "en"},
        **options,
    )


def test_r11_a_technical_contact_on_record_gets_a_link_and_gets_in(
    client, alice, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, business_id=alice.customer.business_id)

    assert response.status_code == 200
    assert AccessRequest.objects.get().status == AccessRequest.Status.AWAITING_VERIFICATION
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["alice@alice.example"]
    link = link_in(mailoutbox[0])

    assert client.get(link).status_code == 200
    response = client.post(
        link, {"new_password1": "kuusi-kuusi-kuusi", "new_password2": "kuusi-kuusi-kuusi"}
    )

    assert response["Location"] == "/portal/"
    alice.refresh_from_db()
    assert alice.user.check_password("kuusi-kuusi-kuusi")
    assert client.get("/portal/").status_code == 200
    # The link is spent.
    client.logout()
    assert client.get(link).status_code == 404


def test_r11_an_end_user_is_refused_politely_and_gets_no_account(
    client, alice, mailoutbox, django_capture_on_commit_callbacks
):
    ContactFactory(customer=alice.customer, email="liisa@alice.example", is_technical=False)

    with django_capture_on_commit_callbacks(execute=True):
        response = ask(
            client,
            business_id=alice.customer.business_id,
            email="liisa@alice.example",
            headers={"accept-language": "en"},
        )

    assert "Requests come through your company" in response.content.decode()
    assert AccessRequest.objects.get().status == AccessRequest.Status.REFUSED
    assert mailoutbox == []
    assert Contact.objects.get(email="liisa@alice.example").user is None


def test_r11_the_refusal_speaks_finnish_too(client, alice):
    ContactFactory(customer=alice.customer, email="liisa@alice.example", is_technical=False)

    response = ask(client, business_id=alice.customer.business_id, email="liisa@alice.example")

    assert "teknisten yhteyshenkilöiden kautta" in response.content.decode()


def test_r11_an_unknown_person_waits_for_an_agent_who_approves(
    client, alice, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, business_id=alice.customer.business_id, email="new.person@alice.example")
    request = AccessRequest.objects.get()
    assert request.status == AccessRequest.Status.PENDING
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        contact = services.approve_access_request(
            request,
            by=AgentFactory(),
            verify_url=lambda token: f"http://testserver/portal/access/verify/{token}/",
        )

    assert contact.is_technical
    assert contact.customer == alice.customer
    assert len(mailoutbox) == 1
    response = client.post(
        link_in(mailoutbox[0]),
        {"new_password1": "kuusi-kuusi-kuusi", "new_password2": "kuusi-kuusi-kuusi"},
    )
    assert response.status_code == 302
    assert User.objects.get(email="new.person@alice.example").contact == contact


def test_r11_an_agent_declines_with_a_reason_in_the_persons_language(
    client, alice, mailoutbox, django_capture_on_commit_callbacks
):
    ask(
        client,
        business_id=alice.customer.business_id,
        email="someone@alice.example",
        headers={"accept-language": "en"},
    )
    request = AccessRequest.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        services.decline_access_request(
            request, by=AgentFactory(), reason="Your company asked us not to add accounts."
        )

    request.refresh_from_db()
    assert request.status == AccessRequest.Status.DECLINED
    assert "Your company asked us not to add accounts." in mailoutbox[0].body
    assert mailoutbox[0].subject == "Your request for SantaCare portal access"
    assert not Contact.objects.filter(email="someone@alice.example").exists()


def test_only_agents_decide(client, alice):
    ask(client, business_id=alice.customer.business_id, email="x@alice.example")
    request = AccessRequest.objects.get()

    with pytest.raises(PermissionDenied):
        services.approve_access_request(request, by=UserFactory(), verify_url=str)
    with pytest.raises(PermissionDenied):
        services.decline_access_request(request, by=UserFactory(), reason="no")


def test_approval_needs_a_known_company(client):
    ask(client, business_id="7777777-4", email="x@nowhere.example")

    with pytest.raises(services.AccessRequestError):
        services.approve_access_request(
            AccessRequest.objects.get(), by=AgentFactory(), verify_url=str
        )


def test_a_technical_contacts_address_with_another_companys_id_waits_for_an_agent(
    client, alice, mailoutbox, django_capture_on_commit_callbacks
):
    other = CustomerFactory()

    with django_capture_on_commit_callbacks(execute=True):
        ask(client, business_id=other.business_id)

    assert AccessRequest.objects.get().status == AccessRequest.Status.PENDING
    assert mailoutbox == []


def test_an_agents_address_cannot_be_taken_over(client, django_capture_on_commit_callbacks):
    agent = AgentFactory(email="agent@alice.example")
    customer = CustomerFactory()
    request = awaiting_verification(ContactFactory(customer=customer, email=agent.email))

    with pytest.raises(services.AccessRequestError):
        services.activate_account(request, password="kuusi-kuusi-kuusi")


def test_r11_a_link_whose_contact_was_deleted_opens_no_login(alice):
    request = awaiting_verification(alice, company_name="Alice Oy", name="Alice")
    users = User.objects.count()
    alice.delete()
    request.refresh_from_db()

    with pytest.raises(services.AccessRequestError, match=services.AccessRequestCode.CONTACT_GONE):
        services.activate_account(request, password="kuusi-kuusi-kuusi")
    assert User.objects.count() == users


def test_a_forged_or_expired_link_is_refused(
    client, alice, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, business_id=alice.customer.business_id)
    link = link_in(mailoutbox[0])

    assert client.get(link[:-3] + "xx/").status_code == 404
    assert client.get("/portal/access/verify/1/").status_code == 404
    with time_machine.travel(now() + timedelta(days=4)):
        assert client.get(link).status_code == 404


def test_malformed_input_gets_field_errors_not_a_500(client):
    response = ask(client, business_id="12345678", email="not an address", name="")

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"business_id", "email", "name"} <= set(errors)
    assert not AccessRequest.objects.exists()


def test_script_in_the_request_is_stored_as_text(client, alice):
    ask(client, business_id=alice.customer.business_id, name="<script>x</script>\r\nBcc: a@b")

    request = AccessRequest.objects.get()
    assert request.name == "<script>x</script> Bcc: a@b"


def test_the_request_form_is_rate_limited_per_address(
    client, alice, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            ask(client, business_id=alice.customer.business_id).status_code for _ in range(4)
        ]

    assert answers == [200, 200, 200, 429]
    # And one mailbox gets one link in the resend window, however often the form is sent.
    assert len(mailoutbox) == 1


def test_r11_an_agent_approves_and_declines_in_the_admin(
    client, alice, mailoutbox, django_capture_on_commit_callbacks
):
    ask(client, business_id=alice.customer.business_id, email="one@alice.example")
    ask(client, business_id=alice.customer.business_id, email="two@alice.example")
    one, two = AccessRequest.objects.order_by("email")
    AccessRequest.objects.filter(pk=two.pk).update(decline_reason="Not a network person.")
    client.force_login(AgentFactory())
    url = "/admin/customers/accessrequest/"

    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "approve", "_selected_action": [one.pk]})
        client.post(url, {"action": "decline", "_selected_action": [two.pk]})

    one.refresh_from_db()
    two.refresh_from_db()
    assert one.status == AccessRequest.Status.APPROVED
    assert one.contact.is_technical
    assert two.status == AccessRequest.Status.DECLINED
    assert len(mailoutbox) == 2


def test_a_customer_cannot_see_access_requests_in_the_admin(client):
    client.force_login(UserFactory(is_staff=True))

    assert client.get("/admin/customers/accessrequest/").status_code == 403


def test_r11_the_activation_mail_is_a_durable_outbox_row_even_when_the_queue_is_down(
    client, alice, django_capture_on_commit_callbacks
):
    """Queued in the request's transaction: no worker, no SMTP server, and still not lost."""
    HUEY.immediate = False
    with django_capture_on_commit_callbacks(execute=False):
        ask(client, business_id=alice.customer.business_id)

    mail = OutboundMail.objects.get(kind="access_request")
    assert (mail.recipient, mail.state) == ("alice@alice.example", OutboundMail.State.QUEUED)
    assert LINK_RE.search(mail.body)


def test_r11_an_activation_link_for_a_staff_address_gets_a_clear_page_not_an_error(client):
    """A staff login is never turned into a portal account, and the person is told why."""
    agent = AgentFactory(email="agent@alice.example")
    customer = CustomerFactory()
    request = awaiting_verification(ContactFactory(customer=customer, email=agent.email))
    password = "kuusi-kuusi-kuusi-7"

    response = activate(client, request, password)

    assert response.status_code == 409
    assert "staff login" in response.content.decode()
    agent.refresh_from_db()
    assert not agent.check_password(password)


def test_r14_the_welcome_after_activation_is_in_the_contacts_language(client):
    customer = CustomerFactory()
    contact = ContactFactory(customer=customer, email="uusi@alice.example", language="fi")
    request = awaiting_verification(
        contact, company_name="Alice Oy", name="Uusi Henkilö", job_role="verkkoasiantuntija"
    )
    password = "kuusi-kuusi-kuusi-7"

    response = activate(client, request, password, follow=True)

    text = response.content.decode()
    assert '<html lang="fi">' in text
    assert "Tervetuloa! Portaalitunnuksesi on valmis." in text
