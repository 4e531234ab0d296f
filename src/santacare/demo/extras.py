"""Portal access requests waiting for an agent (R11) and the desk's canned replies."""

from django.conf import settings
from django.urls import reverse

from santacare.customers.models import AccessRequest, Language
from santacare.customers.services import request_portal_access
from santacare.desk.models import CannedReply

from .clock import Timeline, at

CANNED_REPLIES = [
    (
        "Pyydetään lisätietoja / Ask for details",
        "Hei {contact},\n\nkiitos tukipyynnöstä {tracking_number}. Lähetätkö vielä laitteen "
        "'show tech-support' -tulosteen ja kuvauksen siitä, milloin vika alkoi?\n\n"
        "Ystävällisin terveisin\n{agent}",
        "Hello {contact},\n\nthank you for ticket {tracking_number}. Could you send the "
        "device's 'show tech-support' output and tell us when the fault began?\n\n"
        "Best regards\n{agent}",
    ),
    (
        "Varaosa tilattu / Replacement ordered",
        "Hei {contact},\n\nkorvaava osa on tilattu tukipyyntöön {tracking_number}. Saat "
        "seurantakoodin, kun lähetys lähtee.\n\nTerveisin\n{agent}",
        "Hello {contact},\n\nthe replacement part for {tracking_number} is ordered. You will "
        "get the tracking code when it ships.\n\nRegards\n{agent}",
    ),
    (
        "Ratkaistu / Resolved",
        "Hei {contact},\n\nmerkitsemme tukipyynnön {tracking_number} ratkaistuksi. Jos vika "
        "toistuu, vastaa tähän viestiin, niin tukipyyntö avautuu uudelleen.\n\n{agent}",
        "Hello {contact},\n\nwe mark {tracking_number} as resolved. If the fault comes back, "
        "reply to this message and the ticket opens again.\n\n{agent}",
    ),
]


def canned_replies() -> None:
    for position, (title, finnish, english) in enumerate(CANNED_REPLIES, start=1):
        CannedReply.objects.update_or_create(
            title=title,
            defaults={"body_fi": finnish, "body_en": english, "position": position * 10},
        )


def _verify_url(token: str) -> str:
    return f"http://{settings.WEB_ADDRESS}{reverse('portal:verify_access', args=[token])}"


def access_requests(timeline: Timeline) -> list[AccessRequest]:
    """A new colleague at a known customer and a stranger from an unknown company."""
    requests = []
    for when, fields in [
        (
            timeline.ago(hours=2),
            {
                "company_name": "Esimerkki Oy",
                "business_id": "1234567-1",
                "name": "Kalle Kehittäjä",
                "email": "kalle.kehittaja@esimerkki.fi",
                "phone": "+358 40 999 1234",
                "job_role": "Verkkoasiantuntija",
                "language": Language.FINNISH,
            },
        ),
        (
            timeline.ago(days=1, hours=3),
            {
                "company_name": "Nordic Freight Ltd",
                "business_id": "4567890-7",
                "name": "Alice Walker",
                "email": "alice.walker@nordicfreight.example",
                "phone": "+358 45 222 3333",
                "job_role": "IT operations lead",
                "language": Language.ENGLISH,
            },
        ),
    ]:
        with at(when):
            requests.append(request_portal_access(verify_url=_verify_url, **fields))
    return requests
