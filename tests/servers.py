"""Real servers the account tests talk to: an SMTP server (aiosmtpd) that keeps what it
receives, and an OpenID Connect provider (oidc-provider-mock: discovery, signed ID tokens,
token and userinfo endpoints over HTTP) with predefined users. A pytest plugin of conftest."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest


@dataclass
class Mailbox:
    """What the local SMTP server received, oldest first."""

    url: str
    messages: list[EmailMessage] = field(default_factory=list)

    def wait_for(self, to: str, timeout: float = 10) -> EmailMessage:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if to.lower() in str(message["To"]).lower():
                    return message
            time.sleep(0.05)
        raise AssertionError(f"no mail to {to} within {timeout}s (got {len(self.messages)})")

    def link_in(self, to: str, path: str) -> str:
        body = self.wait_for(to).get_content()
        match = re.search(r"https?://\S+" + re.escape(path) + r"\S*", body)
        assert match, body
        return match.group(0)


class _Keep:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.box.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server on 127.0.0.1; configure the app with FAULTLINE_SMTP_URL=mailbox.url."""
    from aiosmtpd.controller import Controller

    port = _free_port()
    box = Mailbox(url=f"smtp://127.0.0.1:{port}")
    controller = Controller(_Keep(box), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@dataclass(frozen=True)
class Provider:
    issuer: str
    users: dict[str, dict]


#: The provider's predefined people: subject -> claims.
OIDC_USERS = {
    "dana": {"email": "dana@example.com", "email_verified": True, "name": "Dana Director"},
    "unverified": {"email": "olga@example.com", "email_verified": False, "name": "Not Olga"},
}


@pytest.fixture
def oidc_provider() -> Iterator[Provider]:
    """A real OpenID Connect provider on a free localhost port."""
    import oidc_provider_mock

    users = [oidc_provider_mock.User(sub=sub, claims=claims) for sub, claims in OIDC_USERS.items()]
    with oidc_provider_mock.run_server_in_thread(user_claims=users) as server:
        yield Provider(issuer=f"http://localhost:{server.server_port}", users=OIDC_USERS)
