"""HTML bodies: sanitized for display, turned into text for the ticket.

The sanitizer (html5ever inside nh3) costs time quadratic in nesting depth and in the attribute
count of one tag: 80,000 unclosed `<div>`s took 40 s, the 2 MB we accept would take a quarter of
an hour. So a linear scan measures the markup first, and markup over any cap is never handed to
the sanitizer: the mail is shown as its flattened text instead, and the reason says which cap.
"""

import html as html_entities
import re
from collections import Counter
from dataclasses import dataclass

import nh3
from inscriptis import get_text

MAX_HTML_CHARS = 2_000_000
MAX_HTML_DEPTH = 500
MAX_HTML_TAGS = 100_000
MAX_HTML_ATTRIBUTES_PER_TAG = 100

_ALLOWED_HTML_TAGS = set(nh3.ALLOWED_TAGS)

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)([^>]*)>")
_ATTRIBUTE = re.compile(r"""[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?""")
_INVISIBLE = re.compile(
    r"<(script|style|title|head)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL
)
_ANY_TAG = re.compile(r"<[^>]*>")
_BLOCK_BREAK = re.compile(r"<(?:br|/p|/div|/tr|/li|/h[1-6]|/table)\b[^>]*>", re.IGNORECASE)
# Elements that never hold children, and ones whose end tag HTML lets a writer leave out (an
# old mail's `<p>` or `<td>` without `</p>`): neither makes the tree deeper.
_NO_DEPTH = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
        "p",
        "li",
        "dt",
        "dd",
        "tr",
        "td",
        "th",
        "option",
        "optgroup",
        "tbody",
        "thead",
        "tfoot",
        "colgroup",
        "caption",
        "rb",
        "rt",
        "rp",
    ]
)


@dataclass(frozen=True)
class MarkupSize:
    depth: int
    tags: int
    attributes_in_one_tag: int

    def over_limits(self) -> str:
        """Which cap the markup passes ("" when none): the reason the mail says."""
        if self.depth > MAX_HTML_DEPTH:
            return f"HTML nested {self.depth} levels deep (limit {MAX_HTML_DEPTH})"
        if self.tags > MAX_HTML_TAGS:
            return f"HTML has {self.tags} tags (limit {MAX_HTML_TAGS})"
        if self.attributes_in_one_tag > MAX_HTML_ATTRIBUTES_PER_TAG:
            return (
                f"HTML tag with {self.attributes_in_one_tag} attributes "
                f"(limit {MAX_HTML_ATTRIBUTES_PER_TAG})"
            )
        return ""


def measure_markup(html: str) -> MarkupSize:
    """Depth, tag count and the largest attribute list, in one linear pass over the tags.

    An end tag closes only an element that is open, as in a browser, so stray end tags cannot
    hide depth; a `/>` on an ordinary element is ignored, as HTML ignores it.
    """
    stack: list[str] = []
    open_names: Counter[str] = Counter()
    deepest = tags = most_attributes = 0
    for match in _TAG.finditer(html):
        tags += 1
        closing, name, rest = match[1], match[2].lower(), match[3]
        if closing:
            if open_names[name]:
                while (popped := stack.pop()) != name:
                    open_names[popped] -= 1
                open_names[name] -= 1
            continue
        if rest:
            most_attributes = max(most_attributes, sum(1 for _ in _ATTRIBUTE.finditer(rest)))
        if name not in _NO_DEPTH:
            stack.append(name)
            open_names[name] += 1
            deepest = max(deepest, len(stack))
    return MarkupSize(depth=deepest, tags=tags, attributes_in_one_tag=most_attributes)


def flatten_html(html: str) -> str:
    """Text out of markup too costly to parse: tags dropped by a linear scan, entities decoded."""
    text = _INVISIBLE.sub(" ", html)
    text = _BLOCK_BREAK.sub("\n", text)
    text = html_entities.unescape(_ANY_TAG.sub("", text))
    return "\n".join(" ".join(line.split()) for line in text.splitlines()).strip()


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    # No remote loads from customer HTML: a tracking pixel or an SSRF probe (osTicket
    # CVE-2020-24881) needs a URL we would fetch. Inline images (cid:) stay.
    if tag == "img" and attribute == "src" and not value.lower().startswith("cid:"):
        return None
    return value


def sanitize_html(html: str) -> str:
    """Call only on markup within the caps (`measure_markup`): the cost grows with the square."""
    return nh3.clean(
        html[:MAX_HTML_CHARS],
        tags=_ALLOWED_HTML_TAGS,
        clean_content_tags={"script", "style", "title", "head"},
        url_schemes={"http", "https", "mailto", "cid"},
        attribute_filter=_keep_attribute,
    )


def html_to_text(html: str) -> str:
    try:
        return str(get_text(html))
    except Exception:  # inscriptis on pathological markup; the text is only for search
        return flatten_html(html)
