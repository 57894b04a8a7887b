"""The `faultline` command line.

Each command is a thin shell over a module that does the work, and imports it lazily so that
content commands (check, questionnaire, template, report, review) start fast and never need the
web stack.
"""

from __future__ import annotations

import click

from webapp import __version__


@click.group()
@click.version_option(__version__, prog_name="faultline")
def main() -> None:
    """Faultline: reliability reviews for systems and their automated workflows."""


# --- server commands (serve, db) -------------------------------------------------------------


# --- content commands (check, questionnaire, template, report) ------------------------------


# --- automation reviewer (review) ------------------------------------------------------------
