"""Outgoing email (invitations, password resets, email confirmations).

`send_mail(settings, message)` is the one function that talks to the SMTP server; the task
queue's `send_mail` job calls it in a queue worker. `deliver_after_commit(message)` queues the
job once the current request's transaction commits (an invitation that rolled back is never
mailed), so a slow or unreachable mail server never slows a page; the queue retries a failed
delivery a few times.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app
from huey import Huey
from sqlalchemy import event

from webapp.core.db import get_session

logger = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 20
_DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
TASK_KEY = "faultline.mail_task"
#: A delivery that fails (mail server down) is tried again this many times, a minute apart.
RETRIES = 3


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


def init_app(app: Flask, huey: Huey) -> None:
    """Register the `send_mail` job on the app's task queue (web processes and workers)."""
    @huey.task(name="send_mail", retries=RETRIES, retry_delay=60)
    def send(mail: dict) -> None:
        send_mail(app.config, Mail(**mail))

    app.extensions[TASK_KEY] = send


def deliver_after_commit(mail: Mail) -> None:
    """Queue `mail` once the request's transaction commits; nothing when it rolls back."""
    task = current_app.extensions[TASK_KEY]
    event.listen(get_session(), "after_commit",
                 lambda _session: _queue(task, mail), once=True)


def _queue(task, mail: Mail) -> None:
    try:
        task(asdict(mail))
    except (OSError, smtplib.SMTPException) as error:  # immediate mode sends right here
        logger.warning("mail not sent (%s): %s", type(error).__name__, mail.subject)
