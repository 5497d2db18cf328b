"""Where pictures are kept: one interface, two places.

- :class:`LocalStorage` — a folder on this machine (``UPLOAD_FOLDER``, the default). Several app
  machines then need it on a shared volume.
- :class:`S3Storage` — a bucket of any service that speaks the S3 API (AWS S3, Cloudflare R2,
  NCP Object Storage, MinIO), through boto3: ``STORAGE_URL=s3://bucket/prefix``, with
  ``STORAGE_REGION`` and, for a service other than AWS, ``STORAGE_ENDPOINT_URL``. The access keys
  come from boto3's own sources (``AWS_ACCESS_KEY_ID`` and ``AWS_SECRET_ACCESS_KEY`` in the
  environment, a profile, an instance role), never from the shop's settings.

Pictures are served by the app at ``/uploads/<name>`` from either place, or, when
``STORAGE_PUBLIC_URL`` names the bucket's public (or CDN) address, straight from there: every page,
the link-preview card and e-mails take the address from :func:`picture_url`, so that choice is made
once. Names are content hashes (see :mod:`storefront.images`): an object never changes once written,
which is why every copy may be cached for a year.
"""

import logging
import os
import re
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

from flask import Flask, Response, abort, current_app, request, send_from_directory, url_for

from .config import ConfigurationError
from .urls import absolute_url

log = logging.getLogger(__name__)

IMMUTABLE = "public, max-age=31536000, immutable"
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}
_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_EXTENSION = "storefront.storage"


class StorageError(RuntimeError):
    """The picture storage did not answer as it should (unreachable, refused, misconfigured).

    ``str(exc)`` is for the log; visitors see :mod:`storefront.errors`' page for it.
    """


@dataclass(frozen=True)
class StoredFile:
    name: str
    size: int
    modified: float  # seconds since the epoch


class PictureStorage(Protocol):
    """What the shop does with stored pictures; every name is a bare file name (no folders)."""

    def save(self, name: str, data: bytes) -> None:
        """Store ``data`` under ``name`` whole, or not at all (a reader never sees half a picture)."""

    def exists(self, name: str) -> bool: ...

    def read(self, name: str) -> bytes | None:
        """The stored bytes, or None when there is no such picture."""

    def delete(self, names: Iterable[str]) -> None:
        """Remove these pictures; names already gone are ignored."""

    def listing(self) -> Iterator[StoredFile]:
        """Every stored file, in no particular order."""

    def response(self, name: str) -> Response:
        """The picture as the app serves it at ``/uploads/<name>`` (404 when it is not there)."""

    def public_url(self, name: str) -> str | None:
        """The picture's address outside the app, when pictures are served from there."""

    def describe(self) -> str:
        """Where the pictures are, for the operator (no secrets)."""


def content_type(name: str) -> str:
    return CONTENT_TYPES.get(name.rpartition(".")[2], "application/octet-stream")


def _checked(name: str) -> str:
    """A bare file name, never a path: callers pass names they built, but a wrong one must not reach a disk."""
    if not name or name.startswith(".") or "/" in name or "\\" in name:
        raise ValueError(f"not a picture name: {name!r}")
    return name


class LocalStorage:
    """A folder on this machine. Created on the first write, never by a read."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)

    def _path(self, name: str) -> Path:
        return self.folder / _checked(name)

    def save(self, name: str, data: bytes) -> None:
        path = self._path(name)
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def read(self, name: str) -> bytes | None:
        try:
            return self._path(name).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, names: Iterable[str]) -> None:
        for name in names:
            self._path(name).unlink(missing_ok=True)

    def listing(self) -> Iterator[StoredFile]:
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            try:
                stat = path.stat()
            except FileNotFoundError:  # pruned or replaced meanwhile
                continue
            if path.is_file():
                yield StoredFile(path.name, stat.st_size, stat.st_mtime)

    def response(self, name: str) -> Response:
        response = send_from_directory(self.folder, name, max_age=31536000)
        response.headers["Cache-Control"] = IMMUTABLE
        return response

    def public_url(self, name: str) -> str | None:
        return None

    def describe(self) -> str:
        return str(self.folder)


class S3Storage:
    """A bucket behind the S3 API. Objects are written with their content type and a year's caching,
    so the bucket or a CDN in front of it serves them as the app would."""

    def __init__(self, bucket: str, prefix: str, region: str = "", endpoint_url: str = "", public_url: str = ""):
        self.bucket = bucket
        self.prefix = prefix
        self.region = region
        self.endpoint_url = endpoint_url
        self.public_base = public_url.rstrip("/")
        self._client: Any = None
        self._lock = threading.Lock()

    @property
    def client(self) -> Any:
        """One boto3 client per app, made on first use (boto3's clients are thread-safe; making one is not)."""
        with self._lock:
            if self._client is None:
                import boto3
                from botocore.config import Config

                config = Config(
                    connect_timeout=5,
                    read_timeout=30,
                    retries={"max_attempts": 3, "mode": "standard"},
                    # Services other than AWS answer path-style requests; AWS prefers virtual hosts.
                    s3={"addressing_style": "path" if self.endpoint_url else "auto"},
                    # Checksums only where S3 requires them: some S3-compatible services refuse the newer ones.
                    request_checksum_calculation="when_required",
                    response_checksum_validation="when_required",
                )
                self._client = boto3.session.Session().client(
                    "s3", region_name=self.region or None, endpoint_url=self.endpoint_url or None, config=config
                )
            return self._client

    def key(self, name: str) -> str:
        return self.prefix + _checked(name)

    def _call(self, operation: str, **params) -> dict:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client, operation)(Bucket=self.bucket, **params)
        except ClientError as exc:
            if _not_found(exc) and operation in ("head_object", "get_object"):
                raise FileNotFoundError(params.get("Key")) from exc
            raise StorageError(f"{self.describe()}: {operation} failed: {exc}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"{self.describe()}: {operation} failed: {exc}") from exc

    def save(self, name: str, data: bytes) -> None:
        self._call("put_object", Key=self.key(name), Body=data, ContentType=content_type(name), CacheControl=IMMUTABLE)

    def exists(self, name: str) -> bool:
        try:
            self._call("head_object", Key=self.key(name))
        except FileNotFoundError:
            return False
        return True

    def read(self, name: str) -> bytes | None:
        from botocore.exceptions import BotoCoreError

        try:
            body = self._call("get_object", Key=self.key(name))["Body"]
        except FileNotFoundError:
            return None
        with body:
            try:
                return body.read()
            except BotoCoreError as exc:  # the connection dropped or timed out half-way
                raise StorageError(f"{self.describe()}: reading {name} failed: {exc}") from exc

    def delete(self, names: Iterable[str]) -> None:
        keys = [{"Key": self.key(name)} for name in names]
        for start in range(0, len(keys), 1000):  # the most one request may name
            answer = self._call("delete_objects", Delete={"Objects": keys[start : start + 1000], "Quiet": True})
            if answer.get("Errors"):
                first = answer["Errors"][0]
                raise StorageError(f"{self.describe()}: {first.get('Key')} not deleted: {first.get('Message')}")

    def listing(self) -> Iterator[StoredFile]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix):
                for item in page.get("Contents", []):
                    name = item["Key"][len(self.prefix) :]
                    if name and "/" not in name:
                        yield StoredFile(name, item["Size"], item["LastModified"].timestamp())
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"{self.describe()}: listing failed: {exc}") from exc

    def response(self, name: str) -> Response:
        """Streamed from the bucket in chunks, never held whole in memory."""
        try:
            answer = self._call("get_object", Key=self.key(name))
        except FileNotFoundError:
            abort(404)
        body = answer["Body"]
        response = current_app.response_class(
            body.iter_chunks(64 * 1024), mimetype=content_type(name), direct_passthrough=True
        )
        response.content_length = answer["ContentLength"]
        response.set_etag(answer["ETag"].strip('"'))
        response.headers["Cache-Control"] = IMMUTABLE
        response.call_on_close(body.close)
        return response.make_conditional(request)

    def public_url(self, name: str) -> str | None:
        return f"{self.public_base}/{quote(self.key(name))}" if self.public_base else None

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" + (f" at {self.endpoint_url}" if self.endpoint_url else "")


def _not_found(exc: Exception) -> bool:
    error = getattr(exc, "response", {}).get("Error", {})
    return str(error.get("Code")) in ("404", "NoSuchKey", "NotFound")


def from_config(config: dict) -> PictureStorage:
    """The storage the settings name; a setting that cannot work stops the app with the reason."""
    url = str(config.get("STORAGE_URL") or "").strip()
    public = str(config.get("STORAGE_PUBLIC_URL") or "").strip()
    if not url:
        if public:
            raise ConfigurationError(
                "STOREFRONT_STORAGE_PUBLIC_URL is the public address of a bucket: set STOREFRONT_STORAGE_URL="
                "s3://bucket/prefix too, or leave it empty to serve pictures from UPLOAD_FOLDER."
            )
        return LocalStorage(config["UPLOAD_FOLDER"])
    parts = urlsplit(url)
    if parts.scheme != "s3" or not _BUCKET_RE.match(parts.netloc) or parts.query or parts.fragment:
        raise ConfigurationError(
            f"STOREFRONT_STORAGE_URL={url!r} is not a bucket address: write s3://bucket-name/optional/prefix "
            "(bucket names are 3 to 63 lower-case letters, digits, dots and hyphens), or leave it empty "
            "to keep pictures in UPLOAD_FOLDER."
        )
    if public:
        public_parts = urlsplit(public)
        if public_parts.scheme not in ("http", "https") or not public_parts.netloc or public_parts.query:
            raise ConfigurationError(
                f"STOREFRONT_STORAGE_PUBLIC_URL={public!r} must be the address where the bucket's objects can be "
                "read, e.g. https://cdn.shop.example.kr (an object's key is appended to it)."
            )
        if config.get("PRODUCTION") and public_parts.scheme != "https":
            raise ConfigurationError(
                "STOREFRONT_STORAGE_PUBLIC_URL must be https in production: link previews and shop pages "
                "served over https cannot show pictures from an http address."
            )
    try:
        import boto3  # noqa: F401
    except ImportError as exc:
        raise ConfigurationError(
            "STOREFRONT_STORAGE_URL names a bucket, which needs boto3: pip install 'storefront[s3]'."
        ) from exc
    prefix = parts.path.strip("/")
    return S3Storage(
        bucket=parts.netloc,
        prefix=prefix + "/" if prefix else "",
        region=str(config.get("STORAGE_REGION") or ""),
        endpoint_url=str(config.get("STORAGE_ENDPOINT_URL") or ""),
        public_url=public,
    )


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION] = from_config(app.config)


def pictures() -> PictureStorage:
    """The current app's picture storage."""
    return current_app.extensions[_EXTENSION]


def picture_url(name: str, external: bool = False) -> str:
    """Where a browser or a messenger's scraper fetches a stored picture: the bucket's public address
    when pictures are served from there, else the app's ``/uploads/<name>`` (absolute when ``external``)."""
    public = pictures().public_url(name)
    if public:
        return public
    return absolute_url("shop.upload", name=name) if external else url_for("shop.upload", name=name)


def public_origin() -> str | None:
    """The origin pictures are served from when it is not the shop's own (for the CSP's img-src)."""
    base = current_app.config.get("STORAGE_PUBLIC_URL") or ""  # from_config refuses it without a bucket
    if not base:
        return None
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}"
