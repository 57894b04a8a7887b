"""The administrator's page: users, sign-up policy, installation settings."""
