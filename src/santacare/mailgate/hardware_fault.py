"""R9: does the customer's mail say a hardware fault is suspected?

A suspected fault makes the desk ask for a delivery address and contact, so only what the mail
says counts: an explicit answer ("Laitevika: ei", "Hardware fault: yes") first, then a denial
("ei laitevikaa", "we don't suspect a hardware failure"), then a mention ("epäilemme laitevikaa",
"need a replacement unit"). Conflicting answers are unclear, and unclear is not a fault: the
ticket opens without asking, and the agent marks the fault in the desk if there is one.
"""

import re


def _any(*alternatives: str) -> str:
    return "(?:" + "|".join(alternatives) + ")"


def _words(spaced: str) -> str:
    return _any(*spaced.split())


# Saying there is a fault: Finnish stems take every case ending (laitevikaa, laitevian, …).
_FAULT = _any(
    r"laitevi[ako]\w*",
    r"laitteistovi[ako]\w*",
    r"rautavi[ako]\w*",
    r"hardware[- ](?:fault|failure|defect|issue|problem|error)s?",
    r"faulty hardware",
    r"broken",
    r"rikki",
    r"rikkoutu\w*",
    r"hajonn\w*",
    r"hajos\w*",
)
# Saying a part must be sent.
_NEED = _any(r"vaihtolait\w*", r"varaos\w*", r"replacement (?:part|unit|device)s?", r"rma")
# "Hardware" alone names no fault, but "it is not hardware" denies one.
_BARE_HARDWARE = _any(r"hardware(?:[- ]related)?", r"laitteisto\w*", r"raudassa")

_NEGATION = _any(
    _words("not no never nothing none ei en et emme ette eivät eikä emmekä enkä"), r"\w+n't"
)
# Words that may stand between a negation and what it denies: "not a", "don't suspect a",
# "ei ole", "emme epäile", "no sign of a". A verb not listed here ends the negation's reach, so
# "kytkin ei käynnisty laitevian takia" still reports a fault.
_FAULT_FILLER = _words(
    """
    a an any the it it's this that there is was be been seem seems to really actually think
    believe suspect expect see found sign signs evidence of likely probably yet
    ole olla kyseessä kyse epäile epäillä usko luule mitään mikään merkkejä viitteitä vaikuta
    se tämä vielä enää sittenkään kuitenkaan
    """
)
_NEED_FILLER = _words(
    "a an any the need needed require required want tarvita tarvitse tarvitaan mitään uutta"
)
_NOT_AFTER = _any(
    r"(?:(?:is|was|are|has been|have been) )?(?:not|never)",
    r"isn't",
    r"wasn't",
    r"aren't",
    r"hasn't been",
    r"haven't been",
)
_FAULT_DENIED_AFTER = _any(
    rf"{_NOT_AFTER} (?:suspected|likely|involved|the (?:cause|problem|issue))",
    r"(?:(?:is|was|has been|have been) )?(?:ruled out|excluded|unlikely)",
    r"ei (?:epäillä|epäile|ole|vaikuta|liene)",
    r"(?:on )?(?:poissuljettu|suljettu pois|epätodennäköinen)",
)
_NEED_DENIED_AFTER = _any(
    rf"{_NOT_AFTER} (?:needed|required|necessary)",
    r"(?:is |are )?unnecessary",
    r"ei (?:tarvita|tarvitse|ole tarpeen)",
    r"(?:on )?tarpeeton",
)

_DENIED = re.compile(
    rf"\b{_NEGATION}(?: {_FAULT_FILLER}){{0,4}} {_FAULT}"
    rf"|\b{_NEGATION}(?: {_NEED_FILLER}){{0,3}} {_NEED}"
    rf"|\b{_NEGATION}(?: {_FAULT_FILLER}){{0,4}} {_BARE_HARDWARE}$"
    rf"|\b{_FAULT} {_FAULT_DENIED_AFTER}"
    rf"|\b{_BARE_HARDWARE} {_NOT_AFTER} the (?:cause|problem|issue)"
    rf"|\b{_NEED} {_NEED_DENIED_AFTER}"
)
_STATED = re.compile(rf"\b(?:{_FAULT}|{_NEED})\b")

# "Laitevika: ei", "Hardware fault suspected? Yes", "Laitevika (kyllä/ei): kyllä": a label the
# customer answered, alone on its line, the answer ending the line or its first clause.
_ANSWER = re.compile(
    rf"^\W*(?:(?:onko|epäilläänkö|is it an?|suspected) )?(?:{_FAULT}|{_NEED}|hw fault)"
    r"(?: suspected| epäillään| epäilty| needed| tarvitaan)?(?: \([^)]{0,20}\))?"
    r" ?[:?=–-]+ ?(yes|y|kyllä|joo|no|n|ei)(?=\s*(?:[.,;!)]|$))",
    re.M,
)
_YES = {"yes", "y", "kyllä", "joo"}

# Clauses end at sentence marks and at words that turn the sentence ("not a software issue but
# possibly a hardware fault"), so a denial never reaches across them.
_CLAUSE_BREAK = re.compile(
    r"[.!?;,\n]+|\b(?:but|however|whereas|instead|rather|vaan|mutta|kuitenkin|sen sijaan)\b"
)


def is_hardware_fault(text: str) -> bool:
    """True only when the mail says a hardware fault is suspected (R9)."""
    return _verdict(_normalize(text[:50_000])) is True


def _normalize(text: str) -> str:
    text = text.lower().replace("’", "'")
    return "\n".join(" ".join(line.split()) for line in text.splitlines())


def _verdict(text: str) -> bool | None:
    """True (suspected), False (denied) or None (not said, or said both ways)."""
    answers = {match[1] in _YES for match in _ANSWER.finditer(text)}
    if answers:
        return answers.pop() if len(answers) == 1 else None
    stated = False
    for clause in _CLAUSE_BREAK.split(text):
        clause = clause.strip()
        if _DENIED.search(clause):
            return False
        stated = stated or bool(_STATED.search(clause))
    return stated or None
