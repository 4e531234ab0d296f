"""The tickets an agent finds in the queue today: new, waiting, in progress, just resolved.

Advanced contracts count 24 × 7, so their clocks are set near or past breach by the hour;
Basic ones count office hours and are days old. Times are relative to the run's "now".
"""

from santacare.tickets.models import Channel, Priority, Ticket

from .clock import Timeline
from .mail import mail_in
from .steps import Desk

SHOW_TECH = (
    "show-tech-FOC2402X7KL.txt",
    "text/plain",
    b"show version\nCisco IOS XE Software, Version 17.09.04a\nSystem serial: FOC2402X7KL\n"
    b"show environment power\nPS1  PWR-C1-715WAC  NOT PRESENT / BAD\nPS2  PWR-C1-715WAC  OK\n",
)
SYSLOG = (
    "syslog-2026.txt",
    "text/plain",
    b"%PLATFORM_PM-6-MODULE_REMOVED: Power supply PS1 removed\n"
    b"%PLATFORM_PM-2-PS_FAIL: Power supply PS1 failed\n",
)
BGP_LOG = (
    "bgp-flaps.log",
    "text/plain",
    b"Dec  1 03:12:44 mx204 rpd: bgp_io_mgmt_cb: peer 192.0.2.1 (External AS 65001): "
    b"Hold timer expired\n",
)


def queue_stories(desk: Desk, timeline: Timeline) -> dict[str, Ticket]:
    """Open the queue's tickets; returns the ones other stories refer to, by a short name."""
    cast, ago = desk.cast, timeline.ago
    open_ = desk.open

    # --- new, clocks running ------------------------------------------------------------------
    open_(
        cast.daniel,
        "JN22CD3E4FGH",
        "Uplink ge-0/0/47 flapping (monitoring alert)",
        "Our monitoring reports interface ge-0/0/47 on EX4300 JN22CD3E4FGH going down and up "
        "every few minutes since 12:10. Traffic to the warehouse scanners is affected.",
        channel=Channel.API,
        priority=Priority.P2,
        when=ago(minutes=45),
    )
    mail_in(
        sender="Daniel Lee <daniel.lee@pohjolanlogistiikka.example>",
        subject="ISR 4331 FDO2611A1BC drops the BGP session to our ISP",
        body="Hello,\n\nthe ISR 4331 (serial FDO2611A1BC) at the Oulu terminal loses its BGP "
        "session to the ISP several times an hour. The log says 'hold time expired'. "
        "Could you have a look?\n\nBest regards,\nDaniel Lee",
        number=1,
        when=ago(hours=5),
    )
    open_(
        cast.tiina,
        "FDO2544Y1QQ",
        "Kytkimen portit 1–8 eivät nosta linkkiä",
        "Catalyst 9200:n portit 1–8 jäivät alas huoltokatkon jälkeen. Muut portit toimivat. "
        "Kokeilimme jo eri kaapeleita.",
        channel=Channel.PORTAL,
        when=ago(days=3, hours=2),
    )
    open_(
        cast.teemu,
        "FOC2233X0AB",
        "Mikä IOS XE -versio on suositeltu?",
        "Suunnittelemme päivitystä ensi kuulle. Mitä versiota suosittelette Catalyst 9300:lle?",
        channel=Channel.PORTAL,
        priority=Priority.P4,
        when=ago(minutes=20),
    )
    core = open_(
        cast.olli,
        "JN22CD3E4FGK",
        "Terminaalin ydinkytkin ei vastaa",
        "Olli soitti: EX4300 JN22CD3E4FGK ei vastaa konsoliin eikä verkosta, koko terminaalin "
        "lastaus on pysähdyksissä. Virtavalot palavat.",
        channel=Channel.PHONE,
        priority=Priority.P1,
        when=ago(minutes=25),
    )
    desk.assign(core, when=ago(minutes=24))
    desk.move(core, Ticket.Status.IN_PROGRESS, when=ago(minutes=23))
    desk.note(
        core,
        "Pyysin Ollia kytkemään konsolikaapelin ja lähettämään käynnistyslokin. Varaosa "
        "valmiiksi varastosta, jos emolevy.",
        when=ago(minutes=15),
    )

    # --- information requested (R9) ----------------------------------------------------------
    mail_in(
        sender="Emma Brown <emma.brown@toinen.fi>",
        subject="FortiGate FGT60FTK20000042 power supply broken",
        body="Hi,\n\nthe power supply of our FortiGate 60F FGT60FTK20000042 is broken and the "
        "unit does not power on. We need a replacement unit.\n\nEmma",
        number=2,
        when=ago(hours=7),
    )

    # --- in progress --------------------------------------------------------------------------
    mx = open_(
        cast.teemu,
        "JN11AB2C3DEF",
        "MX204: BGP-istunnot katkeilevat yöllä",
        "MX204:n BGP-istunnot operaattorille katkeavat joka yö noin klo 3. Lokissa hold timer "
        "expired. Liitteenä loki.",
        channel=Channel.PORTAL,
        when=ago(hours=22),
    )
    desk.customer_says(
        mx, cast.teemu, "Loki liitteenä.", when=ago(hours=21, minutes=55), attachment=BGP_LOG
    )
    desk.reply(
        mx,
        "Hei Teemu, kiitos lokista. Katkot osuvat operaattorin huoltoikkunaan; selvitämme "
        "asiaa heidän kanssaan ja palaamme asiaan.",
        when=ago(hours=21, minutes=20),
    )
    desk.assign(mx, when=ago(hours=21, minutes=19))
    desk.move(mx, Ticket.Status.IN_PROGRESS, when=ago(hours=21, minutes=18))
    desk.note(
        mx,
        "Operaattorin NOC vahvisti huoltoikkunan 02:30–03:30. Odotetaan heidän muutosnumeroaan.",
        when=ago(hours=6),
    )
    memory = open_(
        cast.olli,
        "JN22CD3E4FGH",
        "EX4300: prosessorikuorma 100 %",
        "Kytkimen prosessorikuorma on ollut 100 % aamusta asti ja hallintayhteys on hidas.",
        channel=Channel.PORTAL,
        priority=Priority.P2,
        when=ago(hours=10),
    )
    desk.reply(
        memory,
        "Hei Olli, tarkistimme tilanteen. Kyseessä on tunnettu vika Junos 21.4R3:ssa. "
        "Ehdotamme päivitystä versioon 21.4R3-S5; lähetämme ohjeet pian.",
        when=ago(hours=9, minutes=35),
    )
    desk.move(memory, Ticket.Status.IN_PROGRESS, when=ago(hours=9, minutes=34))

    # --- waiting on the customer (the SLA is paused) ------------------------------------------
    stp = open_(
        cast.tiina,
        "FDO2544Y1QQ",
        "Syslog täyttyy STP-ilmoituksista",
        "Syslog-palvelimelle tulee satoja STP topology change -ilmoituksia tunnissa.",
        channel=Channel.PORTAL,
        when=ago(days=2, hours=5),
    )
    desk.reply(
        stp,
        "Hei Tiina, lähetätkö komennon 'show spanning-tree detail' tulosteen? Siitä näkyy, "
        "mikä portti aiheuttaa muutokset.",
        when=ago(days=2, hours=4),
    )
    desk.move(stp, Ticket.Status.WAITING_ON_CUSTOMER, when=ago(days=2, hours=4))
    firmware = open_(
        cast.emma,
        "FGT60FTK20000042",
        "Firmware upgrade to 7.2.8 failed",
        "The upgrade from FortiOS 7.0.12 to 7.2.8 stopped with 'image validation failed'.",
        channel=Channel.API,
        when=ago(days=1, hours=3),
    )
    desk.reply(
        firmware,
        "Hi Emma, which image file did you use (name and checksum)? The 60F needs the "
        "FGT_60F image of 7.2.8 build 1639.",
        when=ago(days=1, hours=2),
    )
    desk.move(firmware, Ticket.Status.WAITING_ON_CUSTOMER, when=ago(days=1, hours=2))

    # --- resolved, the customer may still reopen ----------------------------------------------
    ntp = open_(
        cast.teemu,
        "FOC2233X0AB",
        "NTP-synkronointi ei toimi",
        "Kytkimen kello on 7 minuuttia edellä, vaikka NTP-palvelin on määritetty.",
        channel=Channel.PORTAL,
        when=ago(days=3, hours=6),
    )
    desk.reply(
        ntp,
        "Hei Teemu, NTP-palvelimeen ei ollut reittiä hallinta-VRF:stä. Lisää "
        "'ntp server vrf Mgmt-vrf 192.0.2.123'. Merkitsen tukipyynnön ratkaistuksi.",
        when=ago(days=3, hours=4),
    )
    desk.move(ntp, Ticket.Status.RESOLVED, when=ago(days=1))
    licence = open_(
        cast.daniel,
        "FDO2611A1BC",
        "Licence activation for the security package",
        "Daniel called: the SEC-K9 licence does not activate after the smart-licensing change.",
        channel=Channel.PHONE,
        when=ago(days=2, hours=1),
    )
    desk.reply(
        licence,
        "Hi Daniel, the licence is now registered in your Smart Account; please run "
        "'license smart sync all'. I mark this resolved.",
        when=ago(hours=3),
    )
    desk.move(licence, Ticket.Status.RESOLVED, when=ago(hours=3))

    # --- a duplicate merged: the same fault in the portal and by mail -------------------------
    fan = open_(
        cast.tiina,
        "FDO2544Y2RR",
        "Konesalin kytkin hälyttää tuulettimesta",
        "Catalyst 9200 FDO2544Y2RR hälyttää: FAN 1 failure. Laite on vielä toiminnassa.",
        channel=Channel.PORTAL,
        when=ago(hours=4),
    )
    mail_in(
        sender="Tiina Toinen <it@toinen.fi>",
        subject="Tuuletinhälytys FDO2544Y2RR",
        body="Hei, kytkin FDO2544Y2RR hälyttää tuulettimesta (FAN 1 failure). "
        "Tein saman ilmoituksen myös portaalissa.\n\nTiina",
        number=3,
        when=ago(hours=3, minutes=50),
    )
    duplicate = Ticket.objects.filter(device__serial_number="FDO2544Y2RR").exclude(pk=fan.pk)
    desk.merge(duplicate.get(), into=fan, when=ago(hours=3, minutes=30))
    desk.assign(fan, when=ago(hours=3, minutes=29))
    desk.move(fan, Ticket.Status.IN_PROGRESS, when=ago(hours=3, minutes=29))
    return {"stp": stp, "fan": fan, "ntp": ntp}
