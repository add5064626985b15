"""SMS backends: how a text message leaves Suido.

E-mail needs nothing here (Django's mail backends cover SMTP, console and tests).
SMS gateways differ per operator contract, so the gateway is a small class named
in ``settings.SMS_BACKEND``; replacing it changes no calling code.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class SMSMessage:
    sender: str
    recipient: str
    body: str


class SMSBackend:
    """Base class of SMS gateways.

    ``send`` returns only once the gateway has accepted the message and raises on any
    failure: the outbox retries a raised error and treats a return as delivered.
    """

    def __init__(self, sender: str | None = None):
        self.sender = sender if sender is not None else settings.SMS_SENDER

    def send(self, recipient: str, body: str) -> None:
        raise NotImplementedError


class ConsoleSMSBackend(SMSBackend):
    """Prints each message (the demo and development default, like Django's console e-mail backend)."""

    _lock = threading.Lock()

    def __init__(self, sender: str | None = None, stream=None):
        super().__init__(sender)
        self.stream = stream or sys.stdout

    def send(self, recipient: str, body: str) -> None:
        with self._lock:
            self.stream.write(f"SMS from {self.sender} to {recipient}\n{body}\n{'-' * 79}\n")
            self.stream.flush()


# Messages "sent" by MemorySMSBackend, for tests (as django.core.mail.outbox is for e-mail).
outbox: list[SMSMessage] = []


class MemorySMSBackend(SMSBackend):
    """Keeps messages in ``outbox`` instead of sending them."""

    def send(self, recipient: str, body: str) -> None:
        outbox.append(SMSMessage(self.sender, recipient, body))


def get_sms_backend() -> SMSBackend:
    """A new instance of the configured backend (read each time, so settings overrides apply)."""
    return import_string(settings.SMS_BACKEND)()
