"""Hardware faults and their replacements (R13), and last month's finished tickets for the reports.

Each RMA goes through `rma/services.py` step by step, so the RMA list, the return reminders and
the replacement report see what a real one leaves behind.
"""

from datetime import datetime

from santacare.rma.models import Rma
from santacare.rma.services import (
    close_rma,
    confirm_return,
    mark_delivered,
    mark_received_by_vendor,
    mark_shipped,
    open_rma,
)
from santacare.tickets.models import Channel, Priority, Ticket

from .clock import Timeline, at
from .mail import mail_in
from .steps import Desk
from .tickets import SHOW_TECH, SYSLOG


def _rma(
    desk: Desk,
    ticket: Ticket,
    part: str,
    *,
    when: datetime,
    vendor_rma_number: str = "",
    source: str = Rma.Source.VENDOR_ADVANCE,
) -> Rma:
    with at(when):
        return open_rma(
            Ticket.objects.get(pk=ticket.pk),
            by=desk.cast.agent,
            part_number=part,
            source=source,
            vendor_rma_number=vendor_rma_number,
        )


def _ship(desk: Desk, rma: Rma, courier: str, code: str, serial: str, *, when: datetime) -> None:
    with at(when):
        mark_shipped(
            rma, by=desk.cast.agent, courier=courier, tracking_code=code, replacement_serial=serial
        )


def _deliver(desk: Desk, rma: Rma, *, when: datetime) -> None:
    with at(when):
        mark_delivered(rma, by=desk.cast.agent)


def rma_stories(desk: Desk, timeline: Timeline) -> None:
    cast, ago = desk.cast, timeline.ago

    # Replacement shipped: the fault came by mail, with the customer's show tech and syslog.
    mail_in(
        sender="Teemu Tekninen <tekninen@esimerkki.fi>",
        subject="Catalyst 9300 FOC2402X7KL: virtalähde rikki",
        body="Hei,\n\nkytkimen FOC2402X7KL virtalähde PS1 hajosi yöllä, tarvitsemme uuden "
        "virtalähteen. Show tech ja syslog liitteenä.\n\n"
        "Toimitusosoite: Esimerkki Oy, Esimerkkikatu 1, 00100 Helsinki\n"
        "Yhteyshenkilö: Teemu Tekninen, +358 40 111 2222\n\nTeemu",
        number=4,
        when=ago(days=1, hours=2),
        attachments=(SHOW_TECH, SYSLOG),
    )
    power = Ticket.objects.get(device__serial_number="FOC2402X7KL")
    desk.reply(
        power,
        "Hei Teemu, tilasimme Ciscolta uuden virtalähteen ennakkovaihtona. Saat seurantakoodin "
        "kun se lähtee.",
        when=ago(days=1, hours=1),
    )
    desk.move(power, Ticket.Status.IN_PROGRESS, when=ago(days=1, hours=1))
    shipped = _rma(desk, power, "PWR-C1-715WAC", when=ago(days=1), vendor_rma_number="88412345")
    _ship(desk, shipped, "DHL Express", "JD014600006543210987", "LIT2447Z1AA", when=ago(hours=5))

    # Delivered today from our own stock; the vendor's RMA number is not known yet.
    stock = desk.open(
        cast.tiina,
        "FDO2544Y3SS",
        "Kytkin ei käynnisty sähkökatkon jälkeen",
        "Tiina soitti: Catalyst 9200 FDO2544Y3SS ei käynnisty, virtalähde rikki. Tarvitaan "
        "korvaava laite.",
        channel=Channel.PHONE,
        priority=Priority.P2,
        hardware_fault=True,
        when=ago(days=4),
    )
    desk.move(stock, Ticket.Status.IN_PROGRESS, when=ago(days=4))
    delivered = _rma(desk, stock, "C9200-24T-E", when=ago(days=4), source=Rma.Source.STOCK)
    _ship(desk, delivered, "Posti", "JJFI64328900012345678", "JAE2601Q0ZZ", when=ago(days=3))
    _deliver(desk, delivered, when=ago(days=2))

    # Delivered, the failed unit awaits its return to Juniper.
    spare = desk.open(
        cast.daniel,
        "JN22CD3E4FGM",
        "EX4300 fan tray failure",
        "The EX4300 JN22CD3E4FGM reports 'Fan Tray 0 Failure' and runs hot. We need a "
        "replacement fan tray.",
        channel=Channel.PORTAL,
        priority=Priority.P2,
        hardware_fault=True,
        when=ago(days=8),
    )
    desk.reply(spare, "Hi Daniel, a replacement fan tray is on its way.", when=ago(days=8))
    pending = _rma(
        desk, spare, "EX4300-FAN", when=ago(days=7, hours=23), vendor_rma_number="R200-0457781"
    )
    _ship(desk, pending, "UPS", "1Z999AA10123456784", "JN33ZX9Y8WVU", when=ago(days=7))
    _deliver(desk, pending, when=ago(days=6))
    desk.move(spare, Ticket.Status.RESOLVED, when=ago(days=6))

    # The failed unit sent back, on its way to Cisco.
    sent = desk.open(
        cast.teemu,
        "FOC2402X7KM",
        "Kytkimen portti 12 rikki",
        "Catalyst 9300 FOC2402X7KM: portti 12 ei toimi millään kaapelilla, laitteistovika. "
        "Tarvitaan korvaava kytkin.",
        channel=Channel.PORTAL,
        hardware_fault=True,
        when=ago(days=15),
    )
    desk.reply(sent, "Hei Teemu, korvaava kytkin tilattu.", when=ago(days=15))
    returned = _rma(
        desk, sent, "C9300-48P-E", when=ago(days=14, hours=23), vendor_rma_number="88399812"
    )
    _ship(desk, returned, "DHL Express", "JD014600006500001122", "FOC2449L0QQ", when=ago(days=14))
    _deliver(desk, returned, when=ago(days=13))
    with at(ago(days=9)):
        confirm_return(returned, courier_code="DHL 7720195533", by=cast.agent)
    desk.move(sent, Ticket.Status.RESOLVED, when=ago(days=13))

    # Received by Cisco and closed, a month ago.
    old = desk.open(
        cast.teemu,
        "FOC2402X7KN",
        "Kytkin ei käynnisty",
        "Catalyst 9300 FOC2402X7KN ei käynnisty, tarvitaan korvaava laite.",
        channel=Channel.PORTAL,
        hardware_fault=True,
        when=ago(days=30),
    )
    desk.reply(old, "Hei Teemu, korvaava laite tilattu.", when=ago(days=30))
    closed = _rma(
        desk, old, "C9300-48P-E", when=ago(days=29, hours=23), vendor_rma_number="88311177"
    )
    _ship(desk, closed, "DHL Express", "JD014600006411112222", "FOC2441K9PP", when=ago(days=29))
    _deliver(desk, closed, when=ago(days=28))
    with at(ago(days=25)):
        confirm_return(closed, courier_code="DHL 7720100001", by=cast.agent)
    with at(ago(days=20)):
        mark_received_by_vendor(closed, by=cast.agent)
        close_rma(closed, by=cast.agent)
    desk.move(old, Ticket.Status.CLOSED, when=ago(days=20))


# Finished tickets for the SLA report: days ago opened, minutes to the first reply, hours to
# the fix. Two answers come late, so the report shows a miss next to the hits.
HISTORY = [
    ("teemu", "FOC2233X0AB", "VLAN-muutos ei näy", 38, 45, 20, Priority.P3),
    ("tiina", "FDO2544Y1QQ", "PoE ei syötä tukiasemille", 33, 600, 30, Priority.P2),
    ("daniel", "FDO2611A1BC", "Slow DHCP relay", 27, 90, 6, Priority.P3),
    ("olli", "JN22CD3E4FGH", "LACP-linkki ei nouse", 20, 25, 3, Priority.P2),
    ("emma", "FGT60FTK20000042", "SSL VPN certificate warning", 12, 300, 26, Priority.P3),
    ("teemu", "JN11AB2C3DEF", "SNMP-kyselyt aikakatkaistaan", 6, 50, 5, Priority.P3),
]


def history_stories(desk: Desk, timeline: Timeline) -> None:
    for who, serial, subject, days, reply_after, fixed_after, priority in HISTORY:
        contact = getattr(desk.cast, who)
        opened = timeline.ago(days=days)
        ticket = desk.open(
            contact,
            serial,
            subject,
            subject + ".",
            channel=Channel.PORTAL,
            priority=priority,
            when=opened,
        )
        answer = "Hi, we are on it." if contact.language == "en" else "Hei, selvitämme asiaa."
        desk.reply(ticket, answer, when=timeline.ago(days=days, minutes=-reply_after))
        desk.move(ticket, Ticket.Status.RESOLVED, when=timeline.ago(days=days, hours=-fixed_after))
        desk.move(ticket, Ticket.Status.CLOSED, when=timeline.ago(days=days - 2))
