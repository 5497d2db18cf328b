"""Backups of a shop on SQLite, taken while it runs, and putting one back.

``flask --app storefront backup PATH`` fills a new folder PATH with:

- ``storefront.sqlite``: the database, copied by SQLite's online backup API in a single step,
  that is inside one read transaction: the copy is the database as of one moment, every order
  committed before it whole and nothing half-written, while the shop goes on taking orders (WAL
  lets writers carry on beside a reader). The copy is checked with ``PRAGMA integrity_check``;
- ``uploads/``: the pictures, when they are kept in the local folder, copied after the database
  so that every picture the copy names is there (pictures are never changed, only added);
- ``backup.json``, written last: when, the schema version, what was copied. A folder without it
  is not a finished backup, and ``restore`` refuses it.

``flask --app storefront restore PATH`` checks the backup first (its database is sound and has
the schema this version of the shop expects, the migrations' head), keeps the database it
replaces beside it, and copies the backup into the live database through the same API, so a
process still connected sees the old database or the restored one, never a mix. Pictures the
storage lacks are put back, in the folder or the bucket.

PostgreSQL has its own tools (``pg_dump``, ``pg_restore``); on it these commands say so.
"""

import json
import sqlite3
from contextlib import closing
from dataclasses import asdict, dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app

from . import pictures, storage
from .extensions import db
from .models import utcnow

DATABASE_FILE = "storefront.sqlite"
PICTURES_FOLDER = "uploads"
MANIFEST_FILE = "backup.json"
BUSY_TIMEOUT_SECONDS = 60


class BackupError(RuntimeError):
    """A backup or a restore that cannot be done; ``str(exc)`` says why, for the operator."""


@dataclass(frozen=True)
class Manifest:
    created_at: str
    schema: str
    database: str
    # Picture files copied into the backup; None when pictures are kept elsewhere (a bucket).
    pictures: int | None
    picture_storage: str


def live_database() -> Path:
    """The shop's SQLite file; any other database is refused with the tool to use instead."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        plain = sa.engine.URL.create(  # without the password, which belongs in ~/.pgpass
            url.get_backend_name(), username=url.username, host=url.host, port=url.port, database=url.database
        ).render_as_string()
        raise BackupError(
            f"The shop's database is {url.get_backend_name()}, not SQLite: back it up with pg_dump, e.g. "
            f"pg_dump --format=custom --file=shop-$(date +%F).dump '{plain}' (pg_restore puts one back; give "
            "the password in ~/.pgpass or PGPASSWORD). Copy a local pictures folder (UPLOAD_FOLDER) with rsync -a. "
            "This command copies SQLite databases only."
        )
    if not url.database or url.database == ":memory:":
        raise BackupError("The shop's SQLite database is in memory: there is no file to back up.")
    return Path(url.database)


def take_backup(target: Path) -> Manifest:
    source = live_database()
    if not source.is_file():
        raise BackupError(f"There is no database at {source} yet: nothing to back up.")
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: give each backup a new folder (named by its date, for instance).")
    target.mkdir(parents=True, exist_ok=True)
    partial = target / (DATABASE_FILE + ".partial")
    copy_database(source, partial)
    with closing(sqlite3.connect(partial)) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")  # the backup is one self-contained file
    problems = integrity_problems(partial)
    if problems:
        raise BackupError(f"The copy failed PRAGMA integrity_check ({'; '.join(problems[:3])}); the shop's "
                          f"database at {source} may be damaged. The failed copy is kept at {partial}.")  # fmt: skip
    partial.rename(target / DATABASE_FILE)
    store = storage.pictures()
    copied = None
    if isinstance(store, storage.LocalStorage):
        copied = _copy_pictures(store.folder, target / PICTURES_FOLDER)
    manifest = Manifest(
        created_at=utcnow().isoformat(timespec="seconds"),
        schema=schema_version(target / DATABASE_FILE) or "",
        database=DATABASE_FILE,
        pictures=copied,
        picture_storage=store.describe(),
    )
    (target / MANIFEST_FILE).write_text(json.dumps(asdict(manifest), indent=2) + "\n")
    return manifest


def copy_database(source: Path, target: Path) -> None:
    """Copy a SQLite database with the online backup API, all pages in one step (one read transaction on
    ``source``, so the copy is consistent; the writes into ``target`` hold its lock, so its readers see
    the whole copy or none of it)."""
    try:
        with (
            closing(sqlite3.connect(source, timeout=BUSY_TIMEOUT_SECONDS)) as src,
            closing(sqlite3.connect(target, timeout=BUSY_TIMEOUT_SECONDS)) as dst,
        ):
            src.backup(dst, pages=-1)
    except sqlite3.Error as exc:
        raise BackupError(f"Copying {source} to {target} failed: {exc}.") from exc


def _copy_pictures(folder: Path, target: Path) -> int:
    target.mkdir()
    files = pictures.local_files(folder) if folder.is_dir() else []
    for path in files:
        (target / path.name).write_bytes(path.read_bytes())
    return len(files)


def integrity_problems(path: Path) -> list[str]:
    """What ``PRAGMA integrity_check`` reports, or why the file cannot be read; empty when it is sound."""
    try:
        with closing(sqlite3.connect(path)) as conn:
            rows = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


def schema_version(path: Path) -> str | None:
    """The Alembic revision the database at ``path`` was migrated to."""
    try:
        with closing(sqlite3.connect(path)) as conn:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def migrations_head() -> str:
    return ScriptDirectory(current_app.extensions["migrate"].directory).get_current_head()


def checked(source: Path) -> Manifest:
    """The backup in folder ``source``, once it has passed every check a restore needs."""
    try:
        manifest = Manifest(**json.loads((source / MANIFEST_FILE).read_text()))
    except FileNotFoundError as exc:
        raise BackupError(
            f"{source} has no {MANIFEST_FILE}: it is not a finished backup made by `flask backup`."
        ) from exc
    except (ValueError, TypeError) as exc:
        raise BackupError(f"{source / MANIFEST_FILE} cannot be read: {exc}.") from exc
    database = source / DATABASE_FILE
    if manifest.database != DATABASE_FILE or not database.is_file():
        raise BackupError(f"{source} has no {DATABASE_FILE}: the backup is incomplete.")
    if database.resolve() == live_database().resolve():
        raise BackupError(f"{database} is the shop's own database.")
    problems = integrity_problems(database)
    if problems:
        raise BackupError(
            f"The backup's database is damaged (PRAGMA integrity_check: {'; '.join(problems[:3])}). Use another backup."
        )
    found, head = schema_version(database), migrations_head()
    if found != head:
        raise BackupError(
            f"The backup's schema version is {found or 'unknown'}, and this version of the shop expects {head}. "
            "Restore it with the version of the shop that made it (then upgrade with `flask db upgrade`), "
            "or choose a backup made by this version."
        )
    return manifest


@dataclass(frozen=True)
class Restored:
    previous: Path | None  # where the database it replaced is kept
    pictures: int  # picture files put back


def restore(source: Path) -> Restored:
    """Put back the backup in ``source`` (call :func:`checked` first)."""
    live = live_database()
    live.parent.mkdir(parents=True, exist_ok=True)
    db.engine.dispose()  # this process's own connections: none stays in the middle of a transaction
    previous = None
    if live.is_file():
        previous = live.with_name(f"{live.stem}-before-restore-{utcnow():%Y%m%d-%H%M%S}.sqlite")
        copy_database(live, previous)
    copy_database(source / DATABASE_FILE, live)
    _raise_generation(live, previous)
    folder = source / PICTURES_FOLDER
    files = pictures.local_files(folder) if folder.is_dir() else []
    try:
        put_back = sum(copied for _path, copied in pictures.copy_folder(files, storage.pictures()))
    except storage.StorageError as exc:
        raise BackupError(
            f"The database is restored, but the pictures were not put back ({exc}): run restore again."
        ) from exc
    return Restored(previous, put_back)


def _raise_generation(live: Path, previous: Path | None) -> None:
    """Above both the restored and the replaced counter: processes that kept pages of the replaced
    database drop them (see :mod:`storefront.pagecache`)."""
    before = 0
    if previous is not None:
        with closing(sqlite3.connect(previous)) as conn:
            try:
                before = conn.execute("SELECT n FROM content_generation").fetchone()[0]
            except (sqlite3.DatabaseError, TypeError):
                before = 0
    with closing(sqlite3.connect(live, timeout=BUSY_TIMEOUT_SECONDS)) as conn, conn:
        conn.execute("UPDATE content_generation SET n = max(n, ?) + 1", (before,))
