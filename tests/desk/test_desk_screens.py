"""The desk's screens that were admin-only or missing: portal access requests (R11), every
mail that did not become a ticket message (R14), and the RMA pages inside the desk."""

import pytest

from santacare.customers.models import AccessRequest, Contact
from santacare.mailgate.inbound import receive_mail
from santacare.mailgate.models import InboundMail
from santacare.outbox.models import OutboundMail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(alice):
    return AccessRequest.objects.create(
        company_name="Alice Oy",
        business_id=alice.customer.business_id,
        customer=alice.customer,
        name="Uusi Henkilö",
        email="uusi@alice.example",
        phone="+358 40 7654321",
        job_role="Verkkoasiantuntija",
        language="fi",
        status=AccessRequest.Status.PENDING,
    )


def test_r11_agent_sees_pending_requests_and_approves_one(agent_client, pending):
    page = agent_client.get("/desk/access/").text
    assert f'data-access="{pending.pk}"' in page
    assert "Customer on record: Alice Oy" in page

    response = agent_client.post(f"/desk/access/{pending.pk}/approve/", follow=True)

    pending.refresh_from_db()
    assert pending.status == AccessRequest.Status.APPROVED
    assert Contact.objects.get(email="uusi@alice.example").is_technical
    assert "activation link" in response.text
    # The activation link goes out through the outbox, in the person's language.
    assert OutboundMail.objects.get(recipient="uusi@alice.example").subject.startswith("Aktivoi")
    assert f'data-access="{pending.pk}"' in agent_client.get("/desk/access/?show=decided").text


def test_r11_declining_needs_a_reason_which_the_person_is_told(agent_client, pending):
    response = agent_client.post(f"/desk/access/{pending.pk}/decline/", {"reason": ""}, follow=True)
    assert "Write the reason" in response.text
    pending.refresh_from_db()
    assert pending.status == AccessRequest.Status.PENDING

    agent_client.post(f"/desk/access/{pending.pk}/decline/", {"reason": "Ei tunnuksia."})
    pending.refresh_from_db()
    assert pending.status == AccessRequest.Status.DECLINED
    assert "Ei tunnuksia." in OutboundMail.objects.get(recipient="uusi@alice.example").body


def test_r11_a_decided_request_cannot_be_decided_again(agent_client, pending):
    agent_client.post(f"/desk/access/{pending.pk}/decline/", {"reason": "Ei."})
    response = agent_client.post(f"/desk/access/{pending.pk}/approve/", follow=True)
    assert "Only a request waiting for an agent" in response.text
    pending.refresh_from_db()
    assert pending.status == AccessRequest.Status.DECLINED


def test_access_requests_are_for_agents_only(client, pending):
    client.force_login(UserFactory())
    assert client.get("/desk/access/").status_code == 403
    assert client.post(f"/desk/access/{pending.pk}/approve/").status_code == 403
    assert agent_missing(client)


def agent_missing(client) -> bool:
    return client.post("/desk/access/999999/approve/").status_code == 403


def _mail(n: int, sender: str) -> bytes:
    return (
        f"From: {sender}\r\nTo: support@santacare.example\r\nSubject: Viesti {n}\r\n"
        f"Message-ID: <screens-{n}@example.net>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Hei.\r\n"
    ).encode()


def test_r14_mail_review_filters_by_outcome_and_names_the_outcome(agent_client):
    receive_mail(_mail(1, "outsider@unknown.example"), source=InboundMail.Source.SMTP)
    refused = InboundMail.objects.get()
    redirected = InboundMail.objects.create(
        raw=b"x",
        size=1,
        sha256="0" * 64,
        dedup_key="redirected-1",
        source=InboundMail.Source.SMTP,
        received_at=refused.received_at,
        from_address="noc-alarm@customer.example",
        subject="Link down",
        outcome=InboundMail.Outcome.REDIRECTED,
        state=InboundMail.State.PROCESSED,
    )

    everything = agent_client.get("/desk/mail/").text
    only_redirected = agent_client.get("/desk/mail/", {"outcome": "redirected"}).text

    assert f'data-mail="{refused.pk}"' in everything
    assert f'data-mail="{redirected.pk}"' in everything
    assert f'data-mail="{redirected.pk}"' in only_redirected
    assert f'data-mail="{refused.pk}"' not in only_redirected
    assert str(InboundMail.Outcome.REDIRECTED.label) in only_redirected


def test_mail_review_ignores_an_unknown_outcome(agent_client):
    assert agent_client.get("/desk/mail/", {"outcome": "<script>"}).status_code == 200


def test_rma_pages_keep_the_desk_navigation(agent_client):
    text = agent_client.get("/rma/").text
    assert 'class="desk-nav"' in text
    assert 'class="rma-nav"' in text
    assert 'href="/rma/" aria-current="page"' in text
