"""A local stand-in for a Web Push service (a browser vendor's push server), served on 127.0.0.1.

It follows the standards where they matter to the shop:

- :meth:`FakePushService.device` is a browser subscribing: a real P-256 key pair and a 16-byte
  auth secret (RFC 8291), so its :attr:`Device.subscription` is the JSON ``PushManager.subscribe()``
  gives, with an endpoint on this server. Subscribed with an ``applicationServerKey``, the device
  takes only pushes signed with that key, as real push services do.
- ``POST /push/<device>`` (RFC 8030) checks the VAPID ``Authorization: vapid t=<JWT>, k=<key>``
  header (RFC 8292: the JWT's ES256 signature against k, ``aud`` this server's origin, ``exp``
  within 24 hours, ``sub`` a mailto: or https: URL), a ``TTL``, ``Content-Encoding: aes128gcm``,
  then decrypts the body with the device's private key and auth secret (RFC 8188) and records
  the JSON payload. A request that fails a check is answered 400/401/403 and kept in ``refused``.
- Switches: each device (or every device, :attr:`FakePushService.answer`) answers 201, 404, 410,
  500, or ``"timeout"`` (it holds the request until the shop gives up).
"""

import base64
import json
import os
import re
import threading
import time
import uuid
from dataclasses import dataclass, field

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from flask import Flask, request

VAPID_RE = re.compile(r"vapid t=([A-Za-z0-9_\-.]+),\s*k=([A-Za-z0-9_\-]+)")
MAX_EXPIRY = 24 * 3600


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Device:
    """One subscribed browser: its keys, and what it was pushed."""

    id: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes
    server_key: str | None  # the applicationServerKey it subscribed with
    answer: int | str | None = None  # overrides the service's answer for this device
    received: list[dict] = field(default_factory=list)  # decrypted payloads, in order

    @property
    def subscription(self) -> dict:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {"endpoint": self.endpoint, "expirationTime": None,
                "keys": {"p256dh": b64url(point), "auth": b64url(self.auth_secret)}}  # fmt: skip


class PushRefused(ValueError):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status


class FakePushService:
    def __init__(self):
        self.url = ""  # set once served (the origin every VAPID aud must name)
        self.devices: dict[str, Device] = {}
        self.answer: int | str = 201
        self.requests: list[dict] = []  # every POST: device, status, headers and claims
        self.refused: list[str] = []  # why requests failed a check
        self.on_push = None  # called with (device, payload) before a push is accepted
        self.release = threading.Event()  # set when the test ends: "timeout" answers stop waiting
        self.lock = threading.Lock()
        self.app = self._build()

    def device(self, server_key: str | None = None) -> Device:
        """A browser subscribing (to ``server_key``, the shop's VAPID public key, when given)."""
        device_id = uuid.uuid4().hex
        device = Device(device_id, f"{self.url}/push/{device_id}", ec.generate_private_key(ec.SECP256R1()),
                        os.urandom(16), server_key)  # fmt: skip
        self.devices[device_id] = device
        return device

    def delivered(self) -> list[tuple[Device, dict]]:
        """Every push accepted, as (device, payload)."""
        return [(device, payload) for device in self.devices.values() for payload in device.received]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[tuple[Device, dict]]:
        """The pushes accepted once there are ``count`` of them (or the timeout passed)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.delivered()) < count:
            time.sleep(0.05)
        return self.delivered()

    # -- the service ---------------------------------------------------------------------------

    def _build(self) -> Flask:
        app = Flask("fake_push")

        @app.post("/push/<device_id>")
        def push(device_id: str):
            device = self.devices.get(device_id)
            record = {"device": device_id, "headers": dict(request.headers), "claims": None}
            with self.lock:
                self.requests.append(record)
            if device is None:
                record["status"] = 404
                return "", 404
            try:
                record["claims"] = self._check_vapid(device, request.headers.get("Authorization", ""))
                self._check_headers(request.headers)
                payload = self._decrypt(device, request.get_data())
            except PushRefused as refusal:
                self.refused.append(str(refusal))
                record["status"] = refusal.status
                return str(refusal), refusal.status
            answer = device.answer if device.answer is not None else self.answer
            record["status"] = answer
            if answer == "timeout":
                self.release.wait(10)  # the shop's client gives up first
                return "", 504
            if answer != 201:
                return "", answer
            if self.on_push is not None:
                self.on_push(device, payload)
            with self.lock:
                device.received.append(payload)
            return "", 201, {"Location": f"{self.url}/message/{uuid.uuid4().hex}"}

        return app

    def _check_vapid(self, device: Device, header: str) -> dict:
        match = VAPID_RE.fullmatch(header.strip())
        if match is None:
            raise PushRefused(401, f"no VAPID authorization: {header[:60]!r}")
        token, key = match.groups()
        if device.server_key is not None and key != device.server_key:
            raise PushRefused(403, "signed with another key than the subscription's applicationServerKey")
        try:
            head_part, claims_part, signature_part = token.split(".")
            head = json.loads(unb64url(head_part))
            claims = json.loads(unb64url(claims_part))
            signature = unb64url(signature_part)
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
        except ValueError as exc:
            raise PushRefused(401, f"malformed VAPID token: {exc}") from exc
        if head.get("alg") != "ES256" or len(signature) != 64:
            raise PushRefused(401, f"not an ES256 JWT: {head}")
        der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
        try:
            public.verify(der, f"{head_part}.{claims_part}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature as exc:
            raise PushRefused(401, "VAPID signature does not verify") from exc
        if claims.get("aud") != self.url:
            raise PushRefused(403, f"aud {claims.get('aud')!r} is not {self.url!r}")
        now = time.time()
        if not isinstance(claims.get("exp"), int) or not now < claims["exp"] <= now + MAX_EXPIRY:
            raise PushRefused(403, f"exp {claims.get('exp')!r} is not within 24 hours")
        if not re.match(r"(mailto:[^@\s]+@[^@\s]+|https://[^/\s]+)$", str(claims.get("sub", ""))):
            raise PushRefused(403, f"sub {claims.get('sub')!r} is not a mailto: or https: URL")
        return claims

    @staticmethod
    def _check_headers(headers) -> None:
        if not re.fullmatch(r"\d+", headers.get("TTL", "")):
            raise PushRefused(400, "no TTL")
        if headers.get("Content-Encoding") != "aes128gcm":
            raise PushRefused(415, f"Content-Encoding {headers.get('Content-Encoding')!r}, not aes128gcm")
        topic = headers.get("Topic")
        if topic is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", topic):
            raise PushRefused(400, f"bad Topic {topic!r}")

    @staticmethod
    def _decrypt(device: Device, body: bytes) -> dict:
        if len(body) > 4096:
            raise PushRefused(413, "payload over 4096 bytes")
        try:
            plain = http_ece.decrypt(body, private_key=device.private_key, auth_secret=device.auth_secret,
                                     version="aes128gcm")  # fmt: skip
            return json.loads(plain)
        except (http_ece.ECEException, ValueError) as exc:
            raise PushRefused(400, f"cannot decrypt: {exc}") from exc
