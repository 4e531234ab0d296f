"""The mail corpus every ingest runner reads: ours, the floor and django-helpdesk.

Standard library only, so the peer's virtualenv can import it too. Half of a run's mails open
requests (technical contacts of generated customers, a serial number of their install base in
the text, a signature, an HTML alternative), half reply to the tickets the first half opened,
quoting the earlier message as mail clients do. Each run gets Message-IDs of its own, so
de-duplication never turns a measured mail into a no-op.
"""

from collections.abc import Callable

FAULTS = [
    "ei käynnisty sähkökatkon jälkeen",
    "hälyttää virtalähteestä",
    "pudottaa BGP-naapurin muutaman minuutin välein",
    "portit 1-12 eivät nosta linkkiä",
    "tuuletin pitää kovaa ääntä ja lämpötila nousee",
]


def new_request(run: int, number: int, sender: str, serial: str) -> bytes:
    fault = FAULTS[number % len(FAULTS)]
    text = (
        f"Hei,\r\n\r\nlaite {serial} {fault}. Lokissa näkyy virheitä klo 03:12 alkaen.\r\n"
        "Voisitteko tarkistaa tilanteen?\r\n\r\nYstävällisin terveisin\r\n"
        f"{sender.split('@')[0]}\r\nVerkkotiimi\r\n"
    )
    html = text.replace("\r\n", "<br>\r\n")
    boundary = f"=_bench_{run}_{number}"
    return (
        f"From: Bench Contact <{sender}>\r\nTo: support@santacare.example\r\n"
        f"Message-ID: <bench-{run}-new-{number}@asiakas.example>\r\n"
        f"Date: Wed, 02 Dec 2026 08:{number % 60:02d}:00 +0200\r\n"
        f"Subject: Laite {serial} {fault}\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
        f"{text}\r\n"
        f"--{boundary}\r\nContent-Type: text/html; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
        f"<html><body><p>{html}</p></body></html>\r\n"
        f"--{boundary}--\r\n"
    ).encode()


def reply(run: int, number: int, sender: str, subject_tag: str) -> bytes:
    """A reply with the desk's tag (`[SC-…]` ours, `[queue-id]` the peer's) in the subject."""
    return (
        f"From: Bench Contact <{sender}>\r\nTo: support@santacare.example\r\n"
        f"Message-ID: <bench-{run}-reply-{number}@asiakas.example>\r\n"
        f"In-Reply-To: <bench-{run}-new-{number}@asiakas.example>\r\n"
        f"Date: Wed, 02 Dec 2026 09:{number % 60:02d}:00 +0200\r\n"
        f"Subject: VS: {subject_tag} Laite ei toimi\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "Kokeilimme toista virtalähdettä, ei apua. Laite on nyt irrotettu verkosta.\r\n\r\n"
        f"{sender.split('@')[0]}\r\n\r\n"
        "-----Alkuperäinen viesti-----\r\nLähettäjä: SantaCare\r\nAihe: Laite ei toimi\r\n"
        "> Hei, tarkistamme tilanteen.\r\n"
    ).encode()


def run_corpus(
    run: int,
    count: int,
    senders: list[tuple[str, str]],
    ingest: Callable[[bytes], str | None],
    tag: Callable[[str], str],
) -> tuple[int, int]:
    """Feed `count` mails, the new half first, then a reply to each ticket it opened.

    `senders` are (address, serial) pairs; `ingest` takes the raw bytes and returns the
    ticket's identifier (None when none was opened or appended); `tag` turns it into the
    subject tag. Returns (new, replies) fed.
    """
    half = count // 2
    opened = [ingest(new_request(run, i, *senders[i % len(senders)])) for i in range(half)]
    replies = 0
    for i, ticket in enumerate(opened):
        if ticket is None:
            continue
        ingest(reply(run, i, senders[i % len(senders)][0], tag(ticket)))
        replies += 1
    return half, replies
