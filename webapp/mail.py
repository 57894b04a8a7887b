"""Outgoing email (invitations, password resets, email confirmations).

`send_mail(settings, message)` is the one function that talks to the SMTP server; it is what a
task queue job calls. `deliver_after_commit(message)` hands a message over once the current
request's transaction commits (an invitation that rolled back is never mailed), and sends it
outside the request, on a small background thread, so a slow mail server never slows a page.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from flask import current_app
from sqlalchemy import event

from webapp.db import get_session

logger = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 20
_DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
_outbox = ThreadPoolExecutor(max_workers=1, thread_name_prefix="faultline-mail")


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def mail_configured(settings: Mapping[str, object] | None = None) -> bool:
    return bool((settings or current_app.config).get("FAULTLINE_SMTP_URL"))


def send_mail(settings: Mapping[str, object], mail: Mail) -> None:
    """Send one message now through FAULTLINE_SMTP_URL. Raises on failure (retryable)."""
    url = urlsplit(str(settings["FAULTLINE_SMTP_URL"]))
    message = EmailMessage()
    message["From"] = str(settings["FAULTLINE_MAIL_FROM"])
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    with _connect(url) as smtp:
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        smtp.send_message(message)
    logger.info("mail sent: %s", mail.subject)


def _connect(url) -> smtplib.SMTP:
    port = url.port or _DEFAULT_PORTS[url.scheme]
    if url.scheme == "smtps":
        return smtplib.SMTP_SSL(url.hostname, port, timeout=SMTP_TIMEOUT_SECONDS,
                                context=ssl.create_default_context())
    smtp = smtplib.SMTP(url.hostname, port, timeout=SMTP_TIMEOUT_SECONDS)
    if url.scheme == "smtp+starttls":
        smtp.starttls(context=ssl.create_default_context())
    return smtp


def deliver_after_commit(mail: Mail) -> None:
    """Send `mail` once the request's transaction commits; nothing when it rolls back."""
    settings = {key: current_app.config[key]
                for key in ("FAULTLINE_SMTP_URL", "FAULTLINE_MAIL_FROM")}
    event.listen(get_session(), "after_commit",
                 lambda _session: _outbox.submit(_send_logged, settings, mail), once=True)


def _send_logged(settings: Mapping[str, object], mail: Mail) -> Future | None:
    try:
        send_mail(settings, mail)
    except (OSError, smtplib.SMTPException) as error:
        logger.warning("mail not sent (%s): %s", type(error).__name__, mail.subject)
    return None
