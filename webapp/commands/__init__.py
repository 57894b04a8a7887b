"""Command-line commands beyond the core ones of `webapp/cli.py` (`faultline lens`, `faultline
import`). Each builds an app through `webapp.server`, so they sit above every feature."""
