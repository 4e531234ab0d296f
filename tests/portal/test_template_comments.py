"""Django's `{# … #}` comment ends with its line: one spread over two lines is printed on the page
as it is (the login page once showed its comment to every customer)."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "santacare"
UNCLOSED = re.compile(r"\{#(?:(?!#\}).)*$", re.MULTILINE)


def test_no_template_comment_spans_lines():
    found = []
    for path in sorted(TEMPLATES.glob("*/templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        for match in UNCLOSED.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{path.relative_to(TEMPLATES)}:{line}")
    assert found == [], "use {% comment %} for a comment of several lines"
