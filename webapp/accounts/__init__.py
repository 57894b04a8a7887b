"""Accounts: sign-up, sign-in, sessions, passwords."""
