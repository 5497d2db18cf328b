"""A local stand-in for the SOLAPI REST API, served on 127.0.0.1 for the tests.

It follows the documented API where it matters to the shop (docs: developers.solapi.com
references: API Key 인증 방식, 여러건의 메시지 발송 (send-many/detail), 메시지 목록 조회):

- Every request needs ``Authorization: HMAC-SHA256 apiKey=<key>, date=<ISO 8601>, salt=<12–64
  bytes>, signature=<hex HMAC-SHA256(secret, date + salt)>``: an unknown key, a wrong signature, a
  date more than 15 minutes off (RequestTimeTooSkewed) or a signature used before is answered 401
  with ``errorCode``/``errorMessage``.
- ``POST /messages/v4/send-many/detail`` takes ``{"messages": [...]}``. Each message needs ``to``,
  a ``from`` registered as a sender number (발신번호 사전등록제) and a ``type``: SMS (``text`` ≤ 90
  EUC-KR bytes), LMS (≤ 2,000 bytes) or ATA (``kakaoOptions`` with a registered ``pfId``, a
  ``templateId`` registered for it, and ``variables`` naming exactly the template's #{…}; the
  filled-in text ≤ 1,000 characters). ``customFields`` keys ≤ 30, values ≤ 100 characters. It
  answers ``groupInfo``, ``messageList`` (taken, with ``messageId``) and ``failedMessageList``
  (refused, with ``statusCode``/``statusMessage``). The status codes of refusals are stand-ins:
  SOLAPI's own list was not read.
- ``GET /messages/v4/list?to=&startDate=`` lists taken messages as an object keyed by messageId,
  with their ``customFields``.
- Switches (:attr:`FakeSolapi.answers`, one per coming send request, then 200): ``500`` (nothing
  taken), ``"timeout"`` (nothing taken, no answer until the shop gives up), ``"taken_then_500"``
  and ``"taken_then_timeout"`` (the message is taken, the answer is lost), ``"bad_json"``.
  :attr:`broken_keys` answers every request 401 (a revoked key).
"""

import hashlib
import hmac
import re
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

from flask import Flask, jsonify, request

AUTH_RE = re.compile(
    r"HMAC-SHA256 apiKey=(?P<key>[^,\s]+), date=(?P<date>[^,\s]+), salt=(?P<salt>[^,\s]+), signature=(?P<sig>[0-9a-f]+)"
)
VARIABLE_RE = re.compile(r"#\{[^{}]+\}")
SKEW = timedelta(minutes=15)


def euc_kr_bytes(text: str) -> int:
    return sum(len(ch.encode("euc_kr")) if _encodable(ch) else 2 for ch in text)


def _encodable(ch: str) -> bool:
    try:
        ch.encode("euc_kr")
    except UnicodeEncodeError:
        return False
    return True


class FakeSolapi:
    def __init__(self, api_key: str, api_secret: str):
        self.api_key = api_key
        self.api_secret = api_secret
        self.senders: set[str] = set()  # registered 발신번호
        self.channels: set[str] = set()  # registered pfIds
        self.templates: dict[tuple[str, str], str] = {}  # (pfId, templateId) -> approved text
        self.taken: list[dict] = []  # every message taken, as stored (ATA with its filled-in text)
        self.requests: list[dict] = []  # every request: path, status, errorCode
        self.answers: list[int | str] = []  # what the coming send requests answer (then 200)
        self.broken_keys = False
        self.used_signatures: set[str] = set()
        self.release = threading.Event()  # set when the test ends: "timeout" answers stop waiting
        self.lock = threading.Lock()
        self.app = self._build()

    def register_template(self, pf_id: str, template_id: str, text: str) -> None:
        """The merchant registered ``text`` with Kakao and it passed 검수."""
        self.channels.add(pf_id)
        self.templates[(pf_id, template_id)] = text

    def to(self, phone: str) -> list[dict]:
        return [message for message in self.taken if message["to"] == phone]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict]:
        """The messages taken once there are ``count`` of them (or the timeout passed)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.taken) < count:
            time.sleep(0.05)
        return list(self.taken)

    def report(self, message: dict, status_code: str = "4000", type_: str | None = None) -> list[dict]:
        """A single-report webhook body about ``message`` (4000: received)."""
        data = {"messageId": message["messageId"], "groupId": message["groupId"], "type": type_ or message["type"],
                "to": message["to"], "from": message["from"], "statusCode": status_code,
                "statusMessage": "정상 수신" if status_code == "4000" else "카카오톡 미사용자",
                "dateReceived": datetime.now(UTC).isoformat(), "customFields": message["customFields"]}  # fmt: skip
        return [{"eventDataId": uuid.uuid4().hex, "data": data, "retryCount": 0}]

    # -- the API -----------------------------------------------------------------------------------

    def _build(self) -> Flask:
        app = Flask("fake_solapi")

        @app.post("/messages/v4/send-many/detail")
        def send_many():
            refused = self._check_auth()
            if refused:
                return refused
            answer = self._next_answer()
            if answer == "timeout":
                self.release.wait(10)
                return "", 504
            if answer == 500:
                return self._log(jsonify(errorCode="InternalError", errorMessage="서버 오류"), 500)
            if answer == "bad_json":
                return self._log(app.response_class("<html>busy</html>", mimetype="text/html"), 200)
            body = request.get_json(silent=True)
            if not isinstance(body, dict) or not isinstance(body.get("messages"), list) or not body["messages"]:
                return self._log(jsonify(errorCode="ValidationError", errorMessage="messages 배열이 없습니다."), 400)
            group_id = "G4V" + uuid.uuid4().hex[:24].upper()
            taken, failed = [], []
            for message in body["messages"]:
                problem = self._check_message(message)
                message_id = "M4V" + uuid.uuid4().hex[:24].upper()
                if problem:
                    code, words = problem
                    failed.append({"to": message.get("to"), "from": message.get("from"), "type": message.get("type"),
                                   "statusCode": code, "statusMessage": words, "messageId": message_id,
                                   "accountId": "1"})  # fmt: skip
                    continue
                stored = self._store(message, message_id, group_id)
                taken.append({"messageId": message_id, "statusCode": "2000", "to": stored["to"],
                              "type": stored["type"], "statusMessage": "정상 접수(이통사로 접수 예정) "})  # fmt: skip
            if answer == "taken_then_500":
                return self._log(jsonify(errorCode="InternalError", errorMessage="서버 오류"), 500)
            if answer == "taken_then_timeout":
                self.release.wait(10)
                return "", 504
            count = {"total": len(body["messages"]), "registeredSuccess": len(taken), "registeredFailed": len(failed)}
            answer_body = {"groupInfo": {"groupId": group_id, "count": count, "status": "SENDING"},
                           "failedMessageList": failed}  # fmt: skip
            if body.get("showMessageList"):
                answer_body["messageList"] = taken
            return self._log(jsonify(answer_body), 200)

        @app.get("/messages/v4/list")
        def message_list():
            refused = self._check_auth()
            if refused:
                return refused
            since = datetime.fromisoformat(request.args.get("startDate", "1970-01-01T00:00:00Z").replace("Z", "+00:00"))
            to = request.args.get("to")
            found = {
                m["messageId"]: m
                for m in self.taken
                if (to is None or m["to"] == to) and datetime.fromisoformat(m["dateCreated"]) >= since
            }
            limit = int(request.args.get("limit", 20))
            return self._log(jsonify(messageList=dict(list(found.items())[:limit]), limit=limit, startKey=None), 200)

        return app

    def _next_answer(self):
        with self.lock:
            return self.answers.pop(0) if self.answers else 200

    def _log(self, response, status: int):
        with self.lock:
            self.requests.append({"path": request.path, "status": status})
        return response, status

    def _check_auth(self):
        header = request.headers.get("Authorization", "")
        match = AUTH_RE.fullmatch(header.strip())
        if self.broken_keys:
            return self._log(jsonify(errorCode="InvalidApiKey", errorMessage="유효하지 않은 API Key"), 401)
        if match is None:
            return self._log(jsonify(errorCode="InvalidAuthorization", errorMessage=header[:80]), 401)
        if match["key"] != self.api_key:
            return self._log(jsonify(errorCode="InvalidApiKey", errorMessage="유효하지 않은 API Key"), 401)
        try:
            date = datetime.fromisoformat(match["date"].replace("Z", "+00:00"))
        except ValueError:
            return self._log(jsonify(errorCode="InvalidDate", errorMessage=match["date"]), 401)
        if date.tzinfo is None or abs(datetime.now(UTC) - date) > SKEW:
            return self._log(jsonify(errorCode="RequestTimeTooSkewed", errorMessage="시간 차이 15분 초과"), 401)
        if not 12 <= len(match["salt"].encode()) <= 64:
            return self._log(jsonify(errorCode="InvalidSalt", errorMessage="salt는 12~64 바이트"), 401)
        expected = hmac.new(self.api_secret.encode(), (match["date"] + match["salt"]).encode(), hashlib.sha256)
        if not hmac.compare_digest(expected.hexdigest(), match["sig"]):
            return self._log(jsonify(errorCode="SignatureDoesNotMatch", errorMessage="서명 불일치"), 401)
        with self.lock:
            reused = match["sig"] in self.used_signatures
            self.used_signatures.add(match["sig"])
        if reused:
            return self._log(jsonify(errorCode="DuplicatedSignature", errorMessage="재사용된 서명"), 401)
        return None

    def _check_message(self, message: dict) -> tuple[str, str] | None:
        """Why SOLAPI would refuse this message (a stand-in status code and its words), or None."""
        if not re.fullmatch(r"01\d{8,9}", str(message.get("to", ""))):
            return "1010", "수신번호 형식 오류"
        if message.get("from") not in self.senders:
            return "1062", "발신번호 미등록 (발신번호 사전등록제)"
        for key, value in (message.get("customFields") or {}).items():
            if len(key) > 30 or len(str(value)) > 100:
                return "1021", "customFields 길이 초과"
        kind = message.get("type")
        if kind in ("SMS", "LMS"):
            text = message.get("text") or ""
            limit = 90 if kind == "SMS" else 2000
            if not text:
                return "1020", "내용 없음"
            if euc_kr_bytes(text) > limit:
                return "1024", f"{kind} 길이 초과 ({euc_kr_bytes(text)}바이트)"
            return None
        if kind == "ATA":
            kakao = message.get("kakaoOptions") or {}
            if kakao.get("pfId") not in self.channels:
                return "3015", "카카오 채널(pfId)을 찾을 수 없음"
            template = self.templates.get((kakao.get("pfId"), kakao.get("templateId")))
            if template is None:
                return "3034", "알림톡 템플릿을 찾을 수 없음"
            variables = kakao.get("variables") or {}
            if set(variables) != set(VARIABLE_RE.findall(template)):
                return "3038", "템플릿 변수 불일치"
            if not all(isinstance(value, str) for value in variables.values()):
                return "3038", "변수 값은 문자열"
            if len(self._fill(template, variables)) > 1000:
                return "3039", "알림톡 본문 1,000자 초과"
            return None
        return "1011", f"지원하지 않는 type {kind!r}"

    @staticmethod
    def _fill(template: str, variables: dict) -> str:
        return VARIABLE_RE.sub(lambda m: variables[m.group(0)], template)

    def _store(self, message: dict, message_id: str, group_id: str) -> dict:
        stored = {
            "messageId": message_id,
            "groupId": group_id,
            "to": message["to"],
            "from": message["from"],
            "type": message["type"],
            "customFields": message.get("customFields") or {},
            "dateCreated": datetime.now(UTC).isoformat(),
            "statusCode": "2000",
        }
        if message["type"] == "ATA":
            kakao = message["kakaoOptions"]
            stored["text"] = self._fill(self.templates[(kakao["pfId"], kakao["templateId"])], kakao["variables"])
            stored["kakaoOptions"] = kakao
        else:
            stored["text"] = message["text"]
        with self.lock:
            self.taken.append(stored)
        return stored
