"""Answers files in and out of the web app, and the next review cycle."""
