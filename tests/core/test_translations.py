"""R14: Finnish is first-class. Every app's Finnish catalog is complete, with no guesses.

makemessages marks a guess from a similar string as fuzzy, and msgfmt then skips it: the page
would silently show English (or, worse, the guess). Both count as missing here.
"""

import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "santacare"
CATALOGS = sorted(PACKAGE.glob("*/locale/fi/LC_MESSAGES/django.po"))
ENTRY_RE = re.compile(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', re.M)


def text(lines: str) -> str:
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', lines))


def test_every_app_with_strings_has_a_finnish_catalog():
    apps = {path.parts[-5] for path in CATALOGS}
    assert {"core", "tickets", "portal", "desk", "mailgate", "sla", "rma", "reports"} <= apps


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda path: path.parts[-5])
def test_r14_finnish_catalog_is_complete_and_has_no_guesses(catalog):
    missing = []
    for block in catalog.read_text().split("\n\n")[1:]:
        match = ENTRY_RE.search(block + "\n")
        if not match or not text(match[1]):
            continue
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in block.splitlines())
        if fuzzy or not text(match[2]):
            missing.append(text(match[1]))

    assert missing == []
