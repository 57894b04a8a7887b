"""Faultline: reliability reviews for systems and their automated workflows.

Importing this package must stay cheap and must not import Flask: the domain and the CLI's
content commands run without the web stack.
"""

__version__ = "0.1.0"
