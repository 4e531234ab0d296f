"""Reply and forward prefixes in subjects, and the quoted history under the new text of a reply."""

import re

# Reply and forward prefixes of many languages, stacked, any case, with optional
# counters ("RE[2]:", "Re (3):") and the full-width colon.
_PREFIX_RE = re.compile(
    r"^\s*(?:(?:re|aw|sv|vs|vast|antw|r|rif|res|odp|ynt|vá|απ|σχετ|回复|答复|fw|fwd|wg|vb|vl|"
    r"doorst|tr|i|rv|enc|pd|i̇lt|转发|vidarebefordrat|välitetty)"
    r"\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*)+",
    re.IGNORECASE,
)


def strip_subject_prefixes(subject: str) -> str:
    return _PREFIX_RE.sub("", subject, count=1).strip()


# --- Quoted history ------------------------------------------------------------------------------

_HEADER_BLOCK_START = re.compile(r"^\s*\**(lähettäjä|from|från|von|de|van)\s*:\**\s", re.I)
_HEADER_BLOCK_NEXT = re.compile(
    r"^\s*\**(lähetetty|sent|skickat|gesendet|envoyé|verzonden|date|päivämäärä|datum|"
    r"vastaanottaja|to|till|an|aihe|subject|ämne|betreff)\s*:",
    re.I,
)
_WROTE_RE = re.compile(r"(kirjoitti|wrote|skrev|schrieb|a écrit|schreef)\s*:\s*$", re.I)
_SEPARATOR_RE = re.compile(
    r"^\s*-{2,}\s*(alkuperäinen viesti|original message|ursprungligt meddelande|"
    r"ursprüngliche nachricht|välitetty viesti|forwarded message|vidarebefordrat meddelande)"
    r"\s*-{2,}\s*$",
    re.I,
)
_UNDERSCORES_RE = re.compile(r"^\s*_{10,}\s*$")


def strip_quoted_text(text: str) -> str:
    """Cut the quoted history of a reply: Outlook header blocks (FI/SV/EN/DE), "… kirjoitti:" /
    "On … wrote:" lines, "-----Alkuperäinen viesti-----" separators and trailing "> " lines."""
    lines = text.splitlines()
    cut = len(lines)
    for index, line in enumerate(lines):
        if _SEPARATOR_RE.match(line):
            cut = index
            break
        if _UNDERSCORES_RE.match(line) and any(
            _HEADER_BLOCK_START.match(following) for following in lines[index + 1 : index + 3]
        ):
            cut = index
            break
        if _HEADER_BLOCK_START.match(line) and any(
            _HEADER_BLOCK_NEXT.match(following) for following in lines[index + 1 : index + 5]
        ):
            cut = index
            break
        if _WROTE_RE.search(line):
            # Gmail wraps "On Mon, … <x@y>" and "wrote:" onto two lines.
            previous = lines[index - 1].strip() if index else ""
            cut = index - 1 if previous and len(line.strip()) < 20 else index
            break
    kept = lines[:cut]
    while kept and (not kept[-1].strip() or kept[-1].lstrip().startswith(">")):
        kept.pop()
    stripped = "\n".join(kept).strip()
    return stripped or text.strip()
