"""Plumbing every feature uses: settings, database, errors, logging, security headers,
start-up checks, health, serving. Imports no feature package."""
