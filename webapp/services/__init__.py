"""Use cases on a SQLAlchemy session.

Services flush and never commit: the request (or the CLI command) commits once. They raise
`ServiceError` for a refusal the user can act on (its message is shown as is), and werkzeug's
`NotFound` / `Forbidden` for access decisions, so views need no translation.
"""


class ServiceError(Exception):
    """A request the service refuses, with a message written for the user.

    `field` names the form field the message belongs to, when there is one.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
