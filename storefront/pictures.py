"""Which stored pictures the shop still uses, and removing the ones it does not.

A picture is in use while a product shows it or the shop settings name it (the default preview
image, the favicon). Pictures are shared by content: a duplicated product, or the same photo
uploaded twice, points at the same files, so nothing is removed while anything still uses it.

- When a transaction that deleted picture rows (a product deleted, a picture taken off a product)
  commits, the files of those pictures nothing uses any more are removed from the storage: one
  listener below, whoever committed. Never before the commit, so a rollback loses no picture.
- ``prune-uploads`` removes what that leaves: uploads of forms never saved (stored when picked, so
  a form error never loses them), and files whose removal failed. It spares recent files, which
  may belong to a form being filled in now.
- ``move-pictures`` copies a local folder into the bucket a shop moves to (:func:`copy_folder`).
"""

import logging
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm
from flask_sqlalchemy.session import Session as AppSession

from . import images, storage
from .extensions import db
from .models import ProductImage, ShopSettings
from .storage import PictureStorage, StorageError

log = logging.getLogger(__name__)
_DELETED = "pictures.deleted"


def in_use(session: sa.orm.Session, among: Iterable[str] | None = None) -> set[str]:
    """The content hashes a product or the shop settings use (only those in ``among``, when given)."""
    columns = (ProductImage.content_hash, ShopSettings.preview_image_hash, ShopSettings.favicon_hash)
    selects = [sa.select(column).where(column.is_not(None)) for column in columns]
    if among is not None:
        among = list(among)
        selects = [select.where(column.in_(among)) for select, column in zip(selects, columns, strict=True)]
    return set(session.scalars(sa.union(*selects)))


def files_of(content_hash: str, file_name: str) -> list[str]:
    return [file_name, images.thumb_name(content_hash), images.preview_name(content_hash)]


@sa.event.listens_for(ProductImage, "after_delete")
def _note_deleted_picture(mapper, connection, target: ProductImage) -> None:
    session = sa.orm.object_session(target)
    if session is not None:
        session.info.setdefault(_DELETED, {})[target.content_hash] = target.file_name


@sa.event.listens_for(AppSession, "after_commit")
def _remove_after_commit(session) -> None:
    deleted = session.info.pop(_DELETED, None)
    if deleted:
        remove_unused(deleted)


@sa.event.listens_for(AppSession, "after_rollback")
def _forget_rolled_back(session) -> None:
    session.info.pop(_DELETED, None)


def remove_unused(deleted: dict[str, str]) -> int:
    """Remove the files of these pictures (content hash → original's file name) that nothing uses now.

    Runs after the commit, so it asks the database in a session of its own. A failure is logged, not
    raised: the change is committed, and ``prune-uploads`` removes the files later.
    """
    try:
        with sa.orm.Session(db.engine) as session:
            used = in_use(session, among=deleted)
        names = [name for content_hash, file_name in deleted.items() if content_hash not in used
                 for name in files_of(content_hash, file_name)]  # fmt: skip
        storage.pictures().delete(names)
    except (sa.exc.SQLAlchemyError, StorageError) as exc:
        log.warning("pictures no longer used were not removed (prune-uploads will): %s", exc)
        return 0
    return len(names)


def prune(older_than_seconds: float) -> int:
    """Remove stored files nothing uses, once they are older than ``older_than_seconds``; how many."""
    keep = {content_hash[:32] for content_hash in in_use(db.session)}
    cutoff = time.time() - older_than_seconds
    doomed = [
        stored.name
        for stored in storage.pictures().listing()
        if images.STORED_NAME_RE.match(stored.name) and stored.name[:32] not in keep and stored.modified < cutoff
    ]
    storage.pictures().delete(doomed)
    return len(doomed)


def local_files(folder: Path) -> list[Path]:
    """The picture files in a local folder, each picture's preview after its other files.

    A picture counts as stored once its preview is (see ``images.store_upload``), so a copy
    stopped half-way never leaves a picture that looks whole.
    """
    found = [path for path in folder.iterdir() if images.STORED_NAME_RE.match(path.name) and path.is_file()]
    return sorted(found, key=lambda path: (path.name[:32], path.name.endswith("-og.jpg"), path.name))


def copy_folder(files: list[Path], target: PictureStorage) -> Iterator[tuple[Path, bool]]:
    """Copy the files ``target`` does not hold yet (with the same size); yields each file and whether it
    was copied. Running it again copies only what is missing, so an interrupted run resumes."""
    there = {stored.name: stored.size for stored in target.listing()}
    for path in files:
        if there.get(path.name) == path.stat().st_size:
            yield path, False
            continue
        target.save(path.name, path.read_bytes())
        yield path, True
