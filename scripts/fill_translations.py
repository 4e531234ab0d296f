"""Fill empty msgstr entries of a .po file from a JSON {msgid: translation} file.

Usage: python scripts/fill_translations.py <app>/locale/fi/LC_MESSAGES/django.po fi.json
Prints the msgids still untranslated, so a missing Finnish string is seen before it ships.
"""

import json
import re
import sys
from pathlib import Path

ENTRY_RE = re.compile(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', re.M)
STRING_RE = re.compile(r'"((?:[^"\\]|\\.)*)"')


def unquote(lines: str) -> str:
    joined = "".join(STRING_RE.findall(lines))
    return joined.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"\n'


def fill(po_text: str, translations: dict[str, str]) -> str:
    def replace(match: re.Match) -> str:
        msgid, msgstr = unquote(match[1]), unquote(match[2])
        if msgid and not msgstr and msgid in translations:
            return f"msgid {match[1]}msgstr {quote(translations[msgid])}"
        return match[0]

    return ENTRY_RE.sub(replace, po_text)


def main() -> None:
    po_path, json_path = Path(sys.argv[1]), Path(sys.argv[2])
    text = fill(po_path.read_text(), json.loads(Path(json_path).read_text()))
    po_path.write_text(text)
    untranslated = [
        unquote(m[1]) for m in ENTRY_RE.finditer(text) if unquote(m[1]) and not unquote(m[2])
    ]
    print(f"untranslated: {len(untranslated)}")
    for msgid in untranslated:
        print("  ", repr(msgid))


if __name__ == "__main__":
    main()
