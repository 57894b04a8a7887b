"""A coarse, human description of a client from its User-Agent ("Firefox on Windows").

The share-link view log keeps only this description: enough for an owner to recognise "the
auditor opened it on a phone", too little to track anyone. ua-parser (the uap-core rules)
does the parsing; its first call compiles the rules (a few hundred ms), later calls are fast.
"""

from __future__ import annotations

import logging

import ua_parser

logger = logging.getLogger(__name__)

#: Longest User-Agent we parse: anything longer is cut (the rules only look at the start).
UA_MAX_CHARS = 512
UNKNOWN = "Unknown client"
#: uap-core family names shortened to what people call them.
BROWSER_NAMES = {
    "Chrome Mobile": "Chrome",
    "Chrome Mobile iOS": "Chrome",
    "Chrome Mobile WebView": "Android WebView",
    "Firefox Mobile": "Firefox",
    "Firefox iOS": "Firefox",
    "Mobile Safari": "Safari",
    "Mobile Safari UI/WKWebView": "Safari",
    "Edge Mobile": "Edge",
    "HeadlessChrome": "Headless Chrome",
}
OS_NAMES = {"Mac OS X": "macOS", "Chrome OS": "ChromeOS"}


def describe_client(user_agent: str | None) -> str:
    """"Firefox on Windows", "Safari on iOS", "curl", or "Unknown client"."""
    text = (user_agent or "").strip()[:UA_MAX_CHARS]
    if not text:
        return UNKNOWN
    parsed = ua_parser.parse(text)
    browser = _family(parsed.user_agent, BROWSER_NAMES)
    system = _family(parsed.os, OS_NAMES)
    if browser and system:
        return f"{browser} on {system}"
    return browser or (f"Browser on {system}" if system else UNKNOWN)


def _family(part: object, names: dict[str, str]) -> str | None:
    family = getattr(part, "family", None)
    if not family or family == "Other":
        return None
    return names.get(family, family)
