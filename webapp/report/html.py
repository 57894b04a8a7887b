"""Render the report template from plain data, with the report's own Jinja environment."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from webapp.domain.result import Result
from webapp.report import dates
from webapp.report.cards import score
from webapp.report.data import build_report_data, data_options
from webapp.report.notes import inline_markup
from webapp.report.paths import CSS_FILE, FONTS_DIR, TEMPLATES_DIR

TEMPLATE = "report.html.j2"
FONT_FACES = (  # (file, weight, style) shipped in static/fonts/, licence in OFL.txt
    ("Inter-Regular.otf", 400, "normal"),
    ("Inter-Italic.otf", 400, "italic"),
    ("Inter-Medium.otf", 500, "normal"),
    ("Inter-SemiBold.otf", 600, "normal"),
    ("Inter-Bold.otf", 700, "normal"),
)
#: CJK (Han, kana, Hangul) that Inter lacks; Apache 2.0, licence in
#: LICENSE-DroidSansFallback.txt. 3.4 MB on disk, but a PDF embeds only the glyphs it uses.
FALLBACK_FACES = (("DroidSansFallback.ttf", "Faultline Fallback", "truetype"),)


@lru_cache(maxsize=1)
def environment() -> Environment:
    # No auto-reload: templates are read once per process, like the stylesheet and the
    # template version that keys the PDF cache, so the three always agree.
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        auto_reload=False,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    env.filters["md_inline"] = inline_markup
    dates.install(env.filters)
    env.filters["whole"] = score
    return env


@lru_cache(maxsize=1)
def stylesheet() -> str:
    return CSS_FILE.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def template_version() -> str:
    """Changes whenever a template, the stylesheet or the font set changes (keys the cache)."""
    digest = hashlib.sha256()
    for path in sorted(TEMPLATES_DIR.glob("*.j2")) + [CSS_FILE]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update(repr((FONT_FACES, FALLBACK_FACES)).encode())
    return digest.hexdigest()[:16]


def font_faces(font_base: str) -> str:
    """@font-face rules for the shipped fonts, loaded from `font_base`."""
    inter = [f'@font-face {{ font-family: "Inter"; font-style: {style}; font-weight: {weight}; '
             f'src: url("{font_base}{file}") format("opentype"); }}'
             for file, weight, style in FONT_FACES]
    fallback = [f'@font-face {{ font-family: "{family}"; '
                f'src: url("{font_base}{file}") format("{kind}"); }}'
                for file, family, kind in FALLBACK_FACES]
    return "\n".join(inter + fallback)


def render_report(data: dict, *, font_base: str = "/static/fonts/",
                  inline_css: bool = True) -> str:
    """The complete HTML page for already built report data. Without `inline_css` the page
    carries only its page size: the PDF renderer brings the stylesheet, parsed once."""
    return environment().get_template(TEMPLATE).render(
        r=data, css=stylesheet() if inline_css else "", font_faces=font_faces(font_base))


def render_html(result: Result, *, static_url: str = "/static/", **opts) -> str:
    """A standalone HTML page of the review (CSS inlined; fonts from `static_url`fonts/)."""
    data = build_report_data(result, **data_options(opts))
    return render_report(data, font_base=static_url.rstrip("/") + "/fonts/")


def pdf_font_base() -> str:
    return FONTS_DIR.as_uri() + "/"
