"""What a service answers when the thing asked for is not there for this user, or this user may
not do it: the domain's words, not HTTP's. The pages and the API turn them into their 404 and
403 (`webapp.core.error_pages`), so a service runs the same in a request, a CLI command or a job.
"""

from __future__ import annotations


class AccessError(Exception):
    """A thing the user cannot reach. `message` is written for the user; None leaves the
    wording to the page that shows the refusal."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(*(() if message is None else (message,)))
        self.message = message


class NotFoundError(AccessError):
    """No such thing, or not one this user may know exists (another team's, another
    assessment's): the two look the same from outside."""


class ForbiddenError(AccessError):
    """The user may see the thing but not do this to it (a role too low, an administrator
    outside their own teams)."""
