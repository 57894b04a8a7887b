"""Teams, their members and roles, and the access check every feature calls."""
