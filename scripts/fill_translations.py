"""Fill untranslated msgstr entries of a .po file from a JSON {msgid: translation} file.

Usage: python scripts/fill_translations.py <app>/locale/fi/LC_MESSAGES/django.po fi.json

An entry counts as untranslated when its msgstr is empty or makemessages marked it fuzzy (a
guess from a similar string: msgfmt skips those, so the page would show English). Prints the
msgids still untranslated, so a missing Finnish string is seen before it ships.
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


def _is_fuzzy(block: str) -> bool:
    return any(line.startswith("#,") and "fuzzy" in line for line in block.splitlines())


def _unfuzz(block: str) -> str:
    lines = []
    for line in block.splitlines():
        if line.startswith("#|"):
            continue  # the guessed-from msgid
        if line.startswith("#,"):
            flags = [f.strip() for f in line[2:].split(",") if f.strip() != "fuzzy"]
            if not flags:
                continue
            line = "#, " + ", ".join(flags)
        lines.append(line)
    return "\n".join(lines)


def fill_block(block: str, translations: dict[str, str]) -> str:
    match = ENTRY_RE.search(block + "\n")
    if not match:
        return block
    msgid, msgstr = unquote(match[1]), unquote(match[2])
    if not msgid or msgid not in translations or (msgstr and not _is_fuzzy(block)):
        return block
    filled = block[: match.start(2)] + quote(translations[msgid]).rstrip("\n")
    filled += block[match.end(2) :] if match.end(2) < len(block) else ""
    return _unfuzz(filled)


def untranslated(blocks: list[str]) -> list[str]:
    missing = []
    for block in blocks[1:]:  # the header entry has an empty msgid and is fuzzy by default
        match = ENTRY_RE.search(block + "\n")
        if match and unquote(match[1]) and (not unquote(match[2]) or _is_fuzzy(block)):
            missing.append(unquote(match[1]))
    return missing


def main() -> None:
    po_path, json_path = Path(sys.argv[1]), Path(sys.argv[2])
    translations = json.loads(json_path.read_text())
    blocks = [fill_block(b, translations) for b in po_path.read_text().split("\n\n")]
    po_path.write_text("\n\n".join(blocks))
    missing = untranslated(blocks)
    print(f"untranslated: {len(missing)}")
    for msgid in missing:
        print("  ", repr(msgid))


if __name__ == "__main__":
    main()
