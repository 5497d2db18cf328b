"""Messages to buyers: 카카오 알림톡, with SMS/LMS when 알림톡 is not set up or fails, through one provider.

- :mod:`.templates` — what each message says (the 알림톡 text the merchant registers, filled in for SMS/LMS).
- :mod:`.settings` — 알림 설정: whether the shop sends anything, 발신번호, 카카오 채널, each message's
  switch and 템플릿 ID, and what is still missing.
- :mod:`.outbox` — a row per message, queued in the event's transaction, sent after the commit,
  retried by ``send-notifications``; 발송 내역; delivery reports.
- :mod:`.solapi` — SOLAPI, the first provider (its REST API, HMAC-SHA256 signed, through requests).

A provider sends one :class:`Outgoing` message and answers :class:`Sent`, :class:`Refused` (nothing
was sent) or :class:`Unsure` (no answer to trust: it may have gone out); it can also find a message
by our key, which is how a try after an unsure one avoids sending it twice. :func:`deliver` holds
the rules every provider shares: look first after an unsure try, 알림톡 first, SMS/LMS when the
provider refuses the 알림톡 itself (its template, its variables).
"""

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

SMS_BYTES = 90  # a 단문 (SMS) holds 90 bytes: 45 Hangul or 90 Latin characters
LMS_BYTES = 2000  # a 장문 (LMS) holds 2,000 bytes


def text_bytes(text: str) -> int:
    """The length carriers count: EUC-KR bytes (Hangul 2, ASCII 1); a character EUC-KR lacks counts 2."""
    total = 0
    for ch in text:
        try:
            total += len(ch.encode("euc_kr"))
        except UnicodeEncodeError:
            total += 2
    return total


def text_type(text: str) -> str:
    """SMS up to 90 bytes, LMS above."""
    return "SMS" if text_bytes(text) <= SMS_BYTES else "LMS"


@dataclass(frozen=True)
class Alimtalk:
    pf_id: str  # the 카카오 채널's id at the provider
    template_id: str
    variables: dict[str, str] = field(default_factory=dict)  # "#{주문번호}": "…"


@dataclass(frozen=True)
class Outgoing:
    key: str  # ours, carried with the message, so a try after an unsure one can find it
    to: str  # digits
    sender: str  # the 발신번호, digits
    text: str  # the SMS/LMS text (and what replaces 알림톡 when Kakao cannot deliver it)
    alimtalk: Alimtalk | None = None


@dataclass(frozen=True)
class Sent:
    message_id: str
    channel: str  # ATA (알림톡), SMS or LMS
    note: str = ""  # why 알림톡 was not used, when it was refused


@dataclass(frozen=True)
class Refused:
    reason: str
    about_message: bool = False  # this message was refused (its template, its number), not the request
    note: str = ""


@dataclass(frozen=True)
class Unsure:
    reason: str
    note: str = ""


Outcome = Sent | Refused | Unsure


class ProviderUnreachable(Exception):
    """No answer to trust (a timeout, a 5xx)."""


@dataclass(frozen=True)
class Report:
    """A delivery report: the provider's message id (and our key when it carries it)."""

    message_id: str
    key: str
    channel: str
    delivered: bool
    reason: str = ""


class MessagingProvider(Protocol):
    name: str

    def send(self, message: Outgoing, alimtalk: bool) -> Outcome:
        """Send ``message`` as 알림톡 (``alimtalk``) or as SMS/LMS by its length."""

    def find(self, message: Outgoing, since: datetime) -> Sent | None:
        """The message sent with this key since ``since``, if any (raises ProviderUnreachable)."""

    def reports(self, payload: object) -> list[Report]:
        """The delivery reports in a webhook's body."""


def provider() -> MessagingProvider | None:
    """The provider whose keys are set (SOLAPI), or None."""
    from .solapi import Solapi

    return Solapi.from_config()


def deliver(provider: MessagingProvider, message: Outgoing, *, look_since: datetime | None = None) -> Outcome:
    """Send one message once: after an unsure try (``look_since``) ask first whether it went out;
    알림톡 when the message has one, and SMS/LMS when the provider refuses the 알림톡 itself."""
    if look_since is not None:
        try:
            found = provider.find(message, look_since)
        except ProviderUnreachable as exc:
            return Unsure(f"lookup: {exc}")
        if found is not None:
            return found
    if message.alimtalk is None:
        return provider.send(message, alimtalk=False)
    outcome = provider.send(message, alimtalk=True)
    if not (isinstance(outcome, Refused) and outcome.about_message):
        return outcome
    note = f"알림톡: {outcome.reason}"[:300]
    return replace(provider.send(message, alimtalk=False), note=note)
