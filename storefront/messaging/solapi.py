"""SOLAPI (솔라피): 알림톡 and SMS/LMS through its REST API.

The official SDK (``solapi``) was read and not used: its base URL is fixed in the constructor, it
sets no timeout of its own, and it raises a bare ``Exception`` for every HTTP error, so a refusal
could not be told from an outage without string matching. The API it calls is documented and small:

- Every request carries ``Authorization: HMAC-SHA256 apiKey=<key>, date=<ISO 8601>, salt=<random>,
  signature=<hex HMAC-SHA256 of date + salt, keyed with the API secret>``; the server refuses a date
  more than 15 minutes off and a signature used before (docs: developers.solapi.dev, API Key 인증 방식).
- ``POST /messages/v4/send-many/detail`` takes ``{"messages": [...]}`` and answers ``groupInfo``,
  ``messageList`` (the messages it took, with their ``messageId``) and ``failedMessageList`` (the
  ones it refused, with ``statusCode`` and ``statusMessage``). An HTTP 4xx carries ``errorCode`` and
  ``errorMessage``. One message per request here: its answer is that message's.
- 알림톡 is ``type: "ATA"`` with ``kakaoOptions`` {``pfId``, ``templateId``, ``variables``,
  ``disableSms``}; with ``disableSms: false`` SOLAPI itself sends the filled-in text as SMS/LMS when
  Kakao cannot deliver it (a phone without KakaoTalk) — the same text the shop sends when 알림톡 is
  refused at once.
- ``customFields`` (keys ≤ 30, values ≤ 100 characters) carry our key; ``GET /messages/v4/list``
  with ``to`` and ``startDate`` returns them, which finds a message whose sending went unanswered.
- Delivery reports (웹훅, 단일 리포트) are POSTed as a JSON list; ``statusCode`` "4000" is 정상 수신.
  The shop checks the secret the merchant put in the webhook's URL (``?key=``) or SOLAPI's
  ``X-Solapi-Secret`` header.
"""

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

import requests
from flask import current_app

from . import Outgoing, ProviderUnreachable, Refused, Report, Sent, Unsure, text_type

DELIVERED = "4000"  # a report's statusCode for 정상 수신


def _utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Solapi:
    name = "SOLAPI"

    def __init__(self, base_url: str, api_key: str, api_secret: str, timeout: float):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.api_secret = api_secret
        self.timeout = timeout
        self.http = requests.Session()

    @classmethod
    def from_config(cls) -> "Solapi | None":
        config = current_app.config
        if not (config.get("SOLAPI_API_KEY") and config.get("SOLAPI_API_SECRET")):
            return None
        return cls(config["SOLAPI_API_BASE"], config["SOLAPI_API_KEY"], config["SOLAPI_API_SECRET"],
                   float(config["SOLAPI_TIMEOUT"]))  # fmt: skip

    def authorization(self, now: datetime | None = None) -> str:
        date = _utc_iso(now or datetime.now(UTC))
        salt = secrets.token_hex(16)
        signature = hmac.new(self.api_secret.encode(), (date + salt).encode(), hashlib.sha256).hexdigest()
        return f"HMAC-SHA256 apiKey={self.api_key}, date={date}, salt={salt}, signature={signature}"

    def _request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": self.authorization()}
        try:
            response = self.http.request(method, self.base_url + path, headers=headers, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise ProviderUnreachable(type(exc).__name__) from exc
        if response.status_code >= 500:
            raise ProviderUnreachable(f"HTTP {response.status_code}")
        return response

    @staticmethod
    def wire(message: Outgoing, alimtalk: bool) -> dict:
        """The message as the API takes it."""
        wire = {"to": message.to, "from": message.sender, "customFields": {"key": message.key}}
        if alimtalk and message.alimtalk is not None:
            kakao = message.alimtalk
            wire["type"] = "ATA"
            wire["kakaoOptions"] = {"pfId": kakao.pf_id, "templateId": kakao.template_id,
                                    "variables": kakao.variables, "disableSms": False}  # fmt: skip
        else:
            wire["type"] = text_type(message.text)
            wire["text"] = message.text
        return wire

    def send(self, message: Outgoing, alimtalk: bool):
        wire = self.wire(message, alimtalk)
        try:
            response = self._request("POST", "/messages/v4/send-many/detail",
                                     json={"messages": [wire], "showMessageList": True})  # fmt: skip
            data = response.json()
        except ProviderUnreachable as exc:
            return Unsure(str(exc))
        except ValueError:
            return Unsure(f"HTTP {response.status_code}: not JSON")
        if response.status_code >= 400:
            code, words = data.get("errorCode", f"HTTP {response.status_code}"), data.get("errorMessage", "")
            # 400: this body was refused (its template, its fields); 401/403: the keys, which no other body fixes.
            return Refused(f"{code}: {words}".strip(": ")[:300], about_message=response.status_code == 400)
        for failed in data.get("failedMessageList") or []:
            reason = f"{failed.get('statusCode', '')} {failed.get('statusMessage', '')}".strip()
            return Refused(reason[:300] or "refused", about_message=True)
        for taken in data.get("messageList") or []:
            return Sent(str(taken.get("messageId", "")), wire["type"])
        return Unsure("no message in the answer")

    def find(self, message: Outgoing, since: datetime) -> Sent | None:
        params = {"to": message.to, "startDate": _utc_iso(since), "limit": 50}
        response = self._request("GET", "/messages/v4/list", params=params)
        try:
            found = response.json().get("messageList") or {}
        except ValueError as exc:
            raise ProviderUnreachable("not JSON") from exc
        if response.status_code >= 400:
            raise ProviderUnreachable(f"HTTP {response.status_code}")
        for message_id, sent in found.items():
            if (sent.get("customFields") or {}).get("key") == message.key:
                return Sent(str(sent.get("messageId") or message_id), str(sent.get("type", "")))
        return None

    def reports(self, payload: object) -> list[Report]:
        """A single-report webhook's body: a list of messages, each bare or under ``data``."""
        found = []
        for item in payload if isinstance(payload, list) else []:
            data = item.get("data") if isinstance(item, dict) and isinstance(item.get("data"), dict) else item
            if not isinstance(data, dict) or not data.get("messageId"):
                continue
            status = str(data.get("statusCode", ""))
            found.append(
                Report(
                    message_id=str(data["messageId"])[:60],
                    key=str((data.get("customFields") or {}).get("key", ""))[:100],
                    channel=str(data.get("type", ""))[:3],
                    delivered=status == DELIVERED,
                    reason=f"{status} {data.get('statusMessage') or ''}".strip()[:300],
                )
            )
        return found


def webhook_secret_matches(given: str) -> bool:
    secret = current_app.config.get("SOLAPI_WEBHOOK_SECRET") or ""
    return bool(secret) and hmac.compare_digest(given.encode(), secret.encode())
