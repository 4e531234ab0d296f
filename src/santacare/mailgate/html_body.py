"""HTML bodies: sanitized for display, turned into text for the ticket."""

import nh3
from inscriptis import get_text

MAX_HTML_CHARS = 2_000_000

_ALLOWED_HTML_TAGS = set(nh3.ALLOWED_TAGS)


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    # No remote loads from customer HTML: a tracking pixel or an SSRF probe (osTicket
    # CVE-2020-24881) needs a URL we would fetch. Inline images (cid:) stay.
    if tag == "img" and attribute == "src" and not value.lower().startswith("cid:"):
        return None
    return value


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html[:MAX_HTML_CHARS],
        tags=_ALLOWED_HTML_TAGS,
        clean_content_tags={"script", "style", "title", "head"},
        url_schemes={"http", "https", "mailto", "cid"},
        attribute_filter=_keep_attribute,
    )


def html_to_text(html: str) -> str:
    try:
        text: str = get_text(html)  # inscriptis ships no type information
        return text
    except Exception:  # inscriptis on pathological markup; the text is only for search
        return nh3.clean(html, tags=set())
