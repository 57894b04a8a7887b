"""Real servers the account tests talk to: an SMTP server (aiosmtpd) that keeps what it
receives, and an OpenID Connect provider (oidc-provider-mock: discovery, signed ID tokens,
token and userinfo endpoints over HTTP) with predefined users. A pytest plugin of conftest."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.request
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


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory) -> Iterator[Provider]:
    """A real OpenID Connect provider in its own process on a free 127.0.0.1 port (one per
    test session: it keeps nothing between sign-ins that a test relies on)."""
    port = _free_port()
    command = [sys.executable, "-m", "oidc_provider_mock", "--port", str(port),
               "--require-nonce", "true"]
    for sub, claims in OIDC_USERS.items():
        command += ["--user-claims", json.dumps({"sub": sub, **claims})]
    log = (tmp_path_factory.mktemp("oidc") / "provider.log").open("w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    issuer = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(issuer + "/.well-known/openid-configuration", process)
        yield Provider(issuer=issuer, users=OIDC_USERS)
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _wait_until_up(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"the OpenID provider did not start ({url})")
