"""Counts in product text for the web app; the functions live in the pure domain
(webapp.domain.text) so the domain, the report and the reviewer write counts the same way."""

from __future__ import annotations

from webapp.domain.text import counted, first_upper

__all__ = ["counted", "first_upper"]
