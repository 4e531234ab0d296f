"""Mail the gateway refused, held or quarantined is visible to agents, with its reason."""

import pytest

from santacare.mailgate.inbound import receive_mail
from santacare.mailgate.models import InboundMail
from santacare.tickets.models import Ticket
from tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db

RAW = (
    b"From: Outsider <outsider@unknown.example>\r\n"
    b"To: support@santacare.example\r\n"
    b"Subject: Kytkin rikki\r\n"
    b"Message-ID: <desk-review-1@unknown.example>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    b"Sarjanumero FOC2233X0AB ei vastaa.\r\n"
)


@pytest.fixture
def refused():
    receive_mail(RAW, source=InboundMail.Source.SMTP, envelope_sender="outsider@unknown.example")
    return InboundMail.objects.get()


def test_refused_mail_is_listed_with_its_reason(agent_client, refused):
    response = agent_client.get("/desk/mail/")

    text = response.content.decode()
    assert refused.outcome == InboundMail.Outcome.REFUSED
    assert "outsider@unknown.example" in text
    assert f'data-mail="{refused.pk}"' in text


def test_customer_cannot_see_the_mail_list(client, refused):
    client.force_login(UserFactory())

    assert client.get("/desk/mail/").status_code == 403
    assert client.post(f"/desk/mail/{refused.pk}/ticket/").status_code == 403


def test_agent_turns_a_refused_mail_into_a_ticket_once_the_sender_is_known(
    agent_client, refused, alice_device
):
    ContactFactory(customer=alice_device.customer, email="outsider@unknown.example")

    response = agent_client.post(f"/desk/mail/{refused.pk}/ticket/")

    ticket = Ticket.objects.get()
    assert response.url == f"/desk/t/{ticket.tracking_number}/"
    assert ticket.serial_number == "FOC2233X0AB"
    assert "outsider@unknown.example" not in agent_client.get("/desk/mail/").content.decode()


def test_refused_again_shows_why(agent_client, refused):
    response = agent_client.post(f"/desk/mail/{refused.pk}/ticket/", follow=True)

    assert Ticket.objects.count() == 0
    assert response.status_code == 200
    # Styled and announced as an error, not like a confirmation.
    assert '<p class="message error" role="alert">' in response.content.decode()


def test_unknown_mail_id_is_404(agent_client):
    assert agent_client.post("/desk/mail/999999/release/").status_code == 404


def test_quarantined_mail_is_listed_for_review(agent_client):
    receive_mail(b"", source=InboundMail.Source.PIPE)
    mail = InboundMail.objects.get()

    text = agent_client.get("/desk/mail/").content.decode()

    assert mail.is_quarantined
    assert f'data-mail="{mail.pk}"' in text


def _refuse(count: int) -> None:
    for number in range(count):
        raw = RAW.replace(b"desk-review-1@", f"desk-review-page-{number}@".encode())
        receive_mail(
            raw, source=InboundMail.Source.SMTP, envelope_sender="outsider@unknown.example"
        )


@pytest.mark.parametrize("count", [1, 3])
def test_mail_review_queries_do_not_grow_with_rows(agent_client, django_assert_num_queries, count):
    _refuse(count)

    # session, user, the one list of mail not in a ticket
    with django_assert_num_queries(3):
        response = agent_client.get("/desk/mail/")
    assert len(response.context["mails"]) == count


def test_mail_review_pages_through_refused_mail(agent_client, monkeypatch):
    from santacare.desk.views import mail

    monkeypatch.setattr(mail, "MAIL_PAGE_SIZE", 2)
    _refuse(3)

    first = agent_client.get("/desk/mail/")
    second = agent_client.get("/desk/mail/?" + first.context["next_query"])
    back = agent_client.get("/desk/mail/?" + second.context["previous_query"])

    newest_first = list(InboundMail.objects.order_by("-received_at", "-id"))
    assert [m.pk for m in first.context["mails"] + second.context["mails"]] == [
        m.pk for m in newest_first
    ]
    assert second.context["next_query"] == ""
    assert back.context["mails"] == first.context["mails"]


@pytest.mark.parametrize(
    ("language", "label"),
    [("en", "Sender is not a known contact"), ("fi", "Lähettäjä ei ole tunnettu yhteyshenkilö")],
)
def test_r14_mail_review_shows_the_reason_in_words_not_its_code(
    agent_client, refused, language, label
):
    text = agent_client.get("/desk/mail/", headers={"accept-language": language}).content.decode()

    assert refused.reason == "unknown_sender"
    assert label in text
    assert "unknown_sender" not in text


def test_mail_review_shows_a_reason_that_is_no_code_as_it_was_written(agent_client):
    receive_mail(b"", source=InboundMail.Source.PIPE)
    mail = InboundMail.objects.get()

    text = agent_client.get("/desk/mail/").content.decode()

    assert mail.reason
    assert mail.reason in text


@pytest.mark.parametrize(
    ("language", "label"),
    [("en", "Sent automatically (Auto-Submitted)"), ("fi", "Lähetetty automaattisesti")],
)
def test_r14_a_robots_ignored_mail_says_why_in_words(agent_client, db, language, label):
    receive_mail(
        b"From: monitor@alice.example\r\nTo: support@santacare.example\r\n"
        b"Subject: Out of office\r\nMessage-ID: <ooo-1@alice.example>\r\n"
        b"Auto-Submitted: auto-replied\r\n\r\nI am away.\r\n",
        source=InboundMail.Source.PIPE,
    )
    assert InboundMail.objects.get().reason == "auto_submitted"

    text = agent_client.get(
        "/desk/mail/", {"outcome": "ignored"}, headers={"accept-language": language}
    ).content.decode()

    assert label in text
    assert "auto_submitted" not in text
