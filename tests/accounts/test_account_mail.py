"""Account mail leaves through the durable outbox, never from inside the web request (issue 11, 7).

allauth sent its password-reset mail inside the request: with the SMTP server down the person got
an error page and no mail ever came. Now it is an outbox row, retried by the sweep.
"""

from datetime import timedelta

import pytest

from santacare.core.time import now
from santacare.outbox.models import OutboundMail
from santacare.outbox.sending import send_due_mail
from tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_r11_password_reset_with_the_smtp_server_down_is_queued_and_arrives_after_the_sweep(
    client, smtp_sink, django_capture_on_commit_callbacks
):
    contact = ContactFactory(email="alice@alice.example")
    contact.user = UserFactory(email=contact.email)
    contact.save(update_fields=["user"])
    smtp_sink.stop()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": contact.email})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    queued = OutboundMail.objects.get()
    assert queued.to == [contact.email]
    assert queued.state == OutboundMail.State.QUEUED
    assert queued.attempts == 1  # the send right after the commit found no server

    smtp_sink.start()
    send_due_mail(now=now() + timedelta(hours=1))

    [mail] = smtp_sink.wait_for(1)
    assert mail["To"] == contact.email
    assert "/accounts/password/reset/key/" in mail.get_body(("plain",)).get_content()
    assert OutboundMail.objects.get().state == OutboundMail.State.SENT
