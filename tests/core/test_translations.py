"""R14: Finnish is first-class. Every app's Finnish catalog is complete, with no guesses.

makemessages marks a guess from a similar string as fuzzy, and msgfmt then skips it: the page
would silently show English (or, worse, the guess). Both count as missing here.
"""

import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "santacare"
CATALOGS = sorted(PACKAGE.glob("*/locale/fi/LC_MESSAGES/django.po"))
TEMPLATES = sorted(PACKAGE.glob("**/templates/**/*.html")) + sorted(
    PACKAGE.glob("**/templates/**/*.txt")
)
ENTRY_RE = re.compile(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', re.M)
# "(R5)", "(R1, R10)": the rules' numbers are the developers' shorthand, meaningless on a page.
RULE_ID_RE = re.compile(r"\(R\d{1,2}\b[^)]*\)")
TEMPLATE_COMMENT_RE = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.S)


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


def test_no_rule_ids_in_text_that_customers_or_agents_read():
    in_catalogs = [
        f"{catalog.parts[-5]}: {text(match[1])}"
        for catalog in CATALOGS
        for match in ENTRY_RE.finditer(catalog.read_text())
        if RULE_ID_RE.search(text(match[1]))
    ]
    in_templates = [
        f"{template.relative_to(PACKAGE)}: {found}"
        for template in TEMPLATES
        for found in RULE_ID_RE.findall(TEMPLATE_COMMENT_RE.sub("", template.read_text()))
    ]

    assert in_catalogs + in_templates == []


# One Finnish term per concept across apps and mail: the NOC is "verkonvalvontakeskus (NOC)" (or
# NOC alone), the Service Delivery Manager "palvelupäällikkö", never an inflected English word.
OTHER_TERMS_RE = re.compile(r"valvomo|Service Delivery Manager|Manageri", re.IGNORECASE)


def test_r14_finnish_says_the_noc_and_the_service_delivery_manager_one_way():
    other_terms = [
        f"{catalog.parts[-5]}: {text(match[2])}"
        for catalog in CATALOGS
        for match in ENTRY_RE.finditer(catalog.read_text())
        if OTHER_TERMS_RE.search(text(match[2]))
    ]

    assert other_terms == []
