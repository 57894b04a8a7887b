"""Notes are Markdown written by users: render them, then sanitize what came out.

Raw HTML in a note is shown as text (markdown-it's `html` option is off) and the rendered HTML
still goes through nh3 with a short allowlist, so neither a markdown-it bug nor a change of
options can let markup reach the HTML page or the PDF. No tag that loads anything (img, link,
iframe, object, style) is allowed.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "del",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
        ["table", "strikethrough"]
    )


def sanitize_html(html: str) -> str:
    """Keep only harmless formatting tags; links lose everything but an http(s)/mailto href."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def render_note(markdown_text: str | None) -> str:
    """Markdown note to sanitized HTML; an empty or missing note gives an empty string."""
    if not markdown_text or not markdown_text.strip():
        return ""
    # Headings inside a note must not compete with the report's own h1/h2.
    html = _markdown().render(markdown_text).replace("<h1>", "<h4>").replace("</h1>", "</h4>")
    html = html.replace("<h2>", "<h5>").replace("</h2>", "</h5>")
    return sanitize_html(html).strip()
