"""R9: a hardware fault is read from what the mail says, in Finnish and English, and a denied or
unclear one never makes the desk ask for a delivery address."""

import pytest

from santacare.mailgate.hardware_fault import is_hardware_fault

SUSPECTED = [
    "Epäilemme laitevikaa.",
    "Laitevika",
    "Kytkimessä on laitevika, virtavalo ei syty.",
    "Kytkin ei käynnisty laitevian takia.",
    "Tarvitsemme vaihtolaitteen.",
    "Virtalähde on hajonnut, tarvitsemme vaihtolaitteen.",
    "Kytkin on rikki.",
    "Laitevika: kyllä",
    "Laitevika (kyllä/ei): kyllä",
    "Epäilläänkö laitevikaa? Kyllä.",
    "Kytkin ei käynnisty ja epäilemme laitevikaa.",
    "Hardware failure on the core switch.",
    "We need a replacement unit.",
    "Hardware fault: yes",
    "Hardware fault suspected? Yes",
    "The PSU is broken.",
    "We suspect a hardware fault.",
    "Please send an RMA.",
    "Not a software issue but possibly a hardware fault.",
    "We do not have a spare, so we need a replacement unit.",
    "No power after the outage, the unit is broken.",
    "Switch doesn't boot; hardware failure suspected.",
    "HARDWARE FAULT: YES",
    "Laite on rikki eikä käynnisty.",
    "Laitevika: ei käynnisty",  # "ei" here is not the answer, it says what the fault is
]

NOT_SUSPECTED = [
    "Ei laitevikaa.",
    "Ei ole laitevika.",
    "Laitevikaa ei epäillä.",
    "Emme epäile laitevikaa.",
    "Kyseessä ei ole laitevika.",
    "Laitevika: ei",
    "Laitevika: Ei.",
    "Laitevika (kyllä/ei): ei",
    "Ei laitevika vaan ohjelmistovika.",
    "Kytkin on rikki? Ei, kyseessä ei ole laitevika.",
    "Vaihtolaitetta ei tarvita.",
    "Emme tarvitse vaihtolaitetta, vain ohjeet.",
    "Laitevika on poissuljettu.",
    "Ei sittenkään laitevikaa.",
    "Laite ei ole rikki.",
    "Kyse ei ole laitteistoviasta.",
    "Onko laitevika? Ei.",
    "Not a hardware fault.",
    "No hardware fault suspected.",
    "We don't suspect a hardware failure.",
    "We don’t suspect a hardware failure.",  # the apostrophe Outlook types
    "Hardware fault: no",
    "Hardware fault? No.",
    "Hardware fault - no",
    "Hardware fault isn't suspected.",
    "Hardware is not the problem.",
    "It isn't a hardware problem.",
    "RMA not needed.",
    "It is not hardware.",
    "It is not hardware, but the configuration.",
    "I don't think it's a hardware fault.",
    "There is no sign of a hardware fault.",
    "Hardware fault has been ruled out.",
    "A hardware fault is not suspected, the logs point to the firmware.",
    "No replacement unit needed.",
    "The switch is slow but not broken.",
    # Nothing said about hardware at all.
    "Reititin FOC2233X0AB katkoo yhteyksiä iltaisin.",
    "Our hardware firewall drops VPN sessions after the upgrade.",
    "Kytkin ei käynnisty sähkökatkon jälkeen.",
    "",
]

# Said both ways: unclear, so the agent decides in the desk rather than the customer being asked.
UNCLEAR = [
    "Laitevika: kyllä\nLaitevika: ei",
    "Hardware fault: yes\nHardware fault: no",
    "Kytkin on rikki, mutta emme epäile laitevikaa.",
]


@pytest.mark.parametrize("text", SUSPECTED)
def test_r9_hardware_fault_is_read_when_the_mail_says_so(text):
    assert is_hardware_fault(text)


@pytest.mark.parametrize("text", NOT_SUSPECTED)
def test_r9_denied_or_unmentioned_hardware_fault_is_not_read(text):
    assert not is_hardware_fault(text)


@pytest.mark.parametrize("text", UNCLEAR)
def test_r9_hardware_fault_said_both_ways_is_left_to_the_agent(text):
    assert not is_hardware_fault(text)


def test_r9_explicit_answer_wins_over_the_words_around_it():
    assert is_hardware_fault("Emme ole varmoja, onko kyseessä laitevika.\nLaitevika: kyllä")
    assert not is_hardware_fault("Kytkin on rikki.\nHardware fault: no")
