"""Notes are Markdown written by users: render them, then sanitize what came out.

Raw HTML in a note is shown as text (markdown-it's `html` option is off) and the rendered HTML
still goes through nh3 with a short allowlist, so neither a markdown-it bug nor a change of
options can let markup reach the HTML page or the PDF. No tag that loads anything (img, link,
iframe, object, style) is allowed. A link keeps its target only when that is an absolute
http(s) or mailto URL: a relative one would point into the install folder once WeasyPrint
resolves it against the static folder (a `file://` link in the PDF), so it stays plain text.
A word longer than a line (a pasted hash, a log line) gets a zero-width break opportunity
every 16 characters: `overflow-wrap` alone makes WeasyPrint's line breaking quadratic in the
word's length (a 20,000-character word took minutes). Dense enough matters: WeasyPrint lays out
a line from a short slice of the text only when the slice's second line holds a break
opportunity, else from the whole rest of the paragraph; with one every 40 characters the
slices in a narrow table cell had none, and a 20,000-character word still took 36 s of CPU
(2 s at 16). Task-list items ("- [x] done") become a ticked or empty box, on the page and in
the PDF.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "del", "span",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"},
                      "li": {"class"}, "span": {"class", "role", "aria-label"}}
URL_SCHEMES = {"http", "https", "mailto"}
#: "[x] " or "[ ] " at the start of a list item, tight (`<li>[x]`) or loose (`<li>\n<p>[x]`).
TASK_ITEM = re.compile(r"<li>(\s*<p>)?\[([ xX])\]\s")
TASK_BOXES = {True: ("task-done", "Done", "\u2713"), False: ("task-open", "Open", "\u25a1")}


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
        ["table", "strikethrough"]
    )


def _absolute_links_only(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href" and not urlsplit(value).scheme:
        return None
    return value


def sanitize_html(html: str) -> str:
    """Keep only harmless formatting tags; links lose everything but an absolute
    http(s)/mailto href."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_absolute_links_only,
    )


#: A run of text (outside tags) with no space in it for at least LONG_WORD characters.
LONG_WORD_RUN = re.compile(r"(?:&#?\w+;|[^\s&<>]){80,}")
WORD_UNIT = re.compile(r"&#?\w+;|.", re.S)
BREAK_EVERY = 16


def _break_long_words(html: str) -> str:
    def split(match: re.Match) -> str:
        units = WORD_UNIT.findall(match.group(0))
        return "\u200b".join("".join(units[i:i + BREAK_EVERY])
                             for i in range(0, len(units), BREAK_EVERY))
    return re.sub(r">[^<]+", lambda text: LONG_WORD_RUN.sub(split, text.group(0)), html)


def _task_box(match: re.Match) -> str:
    css, word, glyph = TASK_BOXES[match.group(2) != " "]
    return (f'<li class="task {css}">{match.group(1) or ""}'
            f'<span class="task-box" role="img" aria-label="{word}">{glyph}</span> ')


@lru_cache(maxsize=1024)
def render_note(markdown_text: str | None) -> str:
    """Markdown note to sanitized HTML; an empty or missing note gives an empty string.

    Kept per text (a pure function of it): a changed answer re-renders the results page,
    whose other notes are the same texts as before."""
    if not markdown_text or not markdown_text.strip():
        return ""
    # Headings inside a note must not compete with the report's own h1/h2.
    html = _markdown().render(markdown_text).replace("<h1>", "<h4>").replace("</h1>", "</h4>")
    html = html.replace("<h2>", "<h5>").replace("</h2>", "</h5>")
    return _break_long_words(sanitize_html(TASK_ITEM.sub(_task_box, html)).strip())


def inline_markup(markdown_text: str | None) -> Markup:
    """`render_inline` as a Jinja filter (`md_inline`) for the app's and the report's
    templates."""
    return Markup(render_inline(markdown_text))  # noqa: S704 - sanitized by nh3


@lru_cache(maxsize=8192)
def render_inline(markdown_text: str | None) -> str:
    """One line of Markdown (a question title, a finding message) to sanitized inline HTML:
    `code`, emphasis and links, no paragraphs. Kept per text: nearly all of them come from
    the questionnaires and rules, the same on every render."""
    if not markdown_text:
        return ""
    return sanitize_html(_markdown().renderInline(str(markdown_text))).strip()
