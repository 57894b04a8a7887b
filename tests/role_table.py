"""The role table the permission tests check every route against."""

from __future__ import annotations

RANK = {"viewer": 1, "editor": 2, "owner": 3}
#: Who asks: the three team roles, someone from another team, a visitor without an account.
WHO = ["owner", "editor", "viewer", "stranger", "anonymous"]


def expected(who: str, least: str) -> set[int]:
    """The statuses `who` may get from a route that needs at least the role `least`."""
    if who == "anonymous":
        return {302}
    if who == "stranger":
        return {404}
    return {200, 302} if RANK[who] >= RANK[least] else {403}
