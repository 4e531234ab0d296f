"""R14: every desk string has a reviewed Finnish translation (no empty or guessed entries)."""

import re
from pathlib import Path

import santacare.desk

CATALOG = Path(santacare.desk.__file__).parent / "locale" / "fi" / "LC_MESSAGES" / "django.po"


def test_r14_finnish_catalog_is_complete_and_nothing_is_guessed():
    entries = CATALOG.read_text().split("\n\n")[1:]  # the first block is the header

    fuzzy = [entry for entry in entries if "#, fuzzy" in entry]
    empty = [entry for entry in entries if re.search(r'msgstr ""\n?$', entry.strip() + "\n")]
    assert fuzzy == []
    assert empty == []
