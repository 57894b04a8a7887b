"""Where the report's assets live: the repository's static/ folder, the only files a PDF loads."""

from __future__ import annotations

import os
from pathlib import Path

TEMPLATES_DIR = Path(__file__).with_name("templates")
STATIC_DIR = Path(os.environ.get("FAULTLINE_STATIC_DIR")
                  or Path(__file__).resolve().parents[2] / "static").resolve()
CSS_FILE = STATIC_DIR / "css" / "report.css"
FONTS_DIR = STATIC_DIR / "fonts"
