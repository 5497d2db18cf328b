"""Shop pages kept per process until something they show changes.

Rendering a shop page costs several times what reading one row does, and the same page is
asked for again and again (the home and category pages, a link its customer re-opens, the
messenger's scraper fetching the preview). So each app process keeps the shop pages it has
rendered, and the shop settings, under the **content generation**: one counter in the
database (``content_generation``) that every commit changing what a shop page can show
raises, in the same transaction. Every app process sees a change at its next request.

- Which writes raise it is decided here, once, from the SQL the app's session runs: any
  INSERT, UPDATE or DELETE on a table not in :data:`PRIVATE_TABLES`, except an UPDATE of
  ``product`` that sets only columns no kept page shows (열람 counts, the gate's tries).
- A kept page's request reads the counter before anything else: whatever it then reads is at
  least as new as that generation, so a page kept under it is never older than it. The shop
  settings are kept the same way, for the kept pages only (elsewhere a request may have just
  changed them in its own transaction).
- A page is kept under the generation, its address (path and query), the site address it
  was asked for on, the language, the visitor's device and whether it is a scraper, and the
  buyer-bound links this session has unlocked. Time alone changes a page only at a 판매
  종료일: at the next one, everything kept is dropped.
- What must differ per request (the CSRF token, the checkout's nonce, the 열람 token) is
  made again for every copy served (:func:`fresh`).
- Pages marked ``Cache-Control: no-store`` (the buyer gate) and pages of other statuses than
  200, 404 and 410 are never kept; neither is anything on a request whose session holds
  flashed messages.
"""

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, partial, wraps

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, make_response, request, session
from flask_sqlalchemy.session import Session as AppSession
from markupsafe import escape

from . import models
from .extensions import db
from .i18n import select_locale
from .links import UNLOCKED_SESSION_KEY
from .numbers import parse_int
from .visibility import device_for, is_scraper

# Tables no kept page reads: writing them leaves the generation alone.
PRIVATE_TABLES = frozenset(
    {
        "admin_user",
        "setup_code",
        "product_batch",
        "product_event",
        "shop_order",
        "order_item",
        "order_event",
        "payment_record",
        "notification",
        "audit_entry",
        "lookup_attempt",
        "login_attempt",
        "content_generation",
        "alembic_version",
        "push_subscription",
        "push_message",
        "vapid_key",
        "buyer_message",
        "message_template_setting",
    }
)
# Product columns no kept page shows: opening a link (열람) or mistyping its four digits
# (the gate page is never kept) changes only these.
PRODUCT_PRIVATE_COLUMNS = frozenset(
    {"view_count", "first_viewed_at", "last_viewed_at", "updated_at", "gate_failures", "gate_locked_until"}
)
KEPT_STATUSES = frozenset({200, 404, 410})

_WRITE = re.compile(r'\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.I)
_SET = re.compile(r"\sSET\s(.*?)(?:\sWHERE\s|\sRETURNING\s|$)", re.I | re.S)
_ASSIGNED = re.compile(r'(?:^|,)\s*"?(\w+)"?\s*=')
_TRACKED = "pagecache.tracked"
_DIRTY = "pagecache.dirty"
_BUMP = "UPDATE content_generation SET n = n + 1 WHERE id = 1"


def changes_shop_pages(statement: str) -> bool:
    """Whether this SQL statement writes something a kept shop page may show."""
    match = _WRITE.match(statement)
    if match is None:
        return False
    verb, table = match.group(1).upper(), match.group(2).lower()
    if table in PRIVATE_TABLES:
        return False
    if table == "product" and verb == "UPDATE":
        assigned = _SET.search(statement)
        columns = set(_ASSIGNED.findall(assigned.group(1))) if assigned else set()
        return not columns or not columns <= PRODUCT_PRIVATE_COLUMNS
    return True


# Raising the generation ------------------------------------------------------------------------
# Only connections the app's session works on are watched: migrations and scripts that use the
# engine directly run while no app process should be serving (deploys restart them).


@sa.event.listens_for(AppSession, "after_begin")
def _track(session, transaction, connection):
    connection.info[_TRACKED] = True


@sa.event.listens_for(sa.engine.Engine, "before_cursor_execute")
def _note_write(conn, cursor, statement, parameters, context, executemany):
    if conn.info.get(_TRACKED) and not conn.info.get(_DIRTY) and changes_shop_pages(statement):
        conn.info[_DIRTY] = True


@sa.event.listens_for(sa.engine.Engine, "commit")
def _raise_generation(conn):
    """Last statement of a transaction that changed shop pages (so no other lock is taken after it)."""
    if conn.info.pop(_DIRTY, False):
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            cursor.execute(_BUMP)
        finally:
            cursor.close()
    conn.info.pop(_TRACKED, None)


@sa.event.listens_for(sa.engine.Engine, "rollback")
def _forget(conn):
    conn.info.pop(_DIRTY, None)
    conn.info.pop(_TRACKED, None)


# What a process keeps ----------------------------------------------------------------------------


@dataclass
class KeptPage:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    makers: list[Callable[[], str]]  # the values put back fresh, in marker order
    csp_extra: dict | None

    def response(self) -> Response:
        body = self.body
        for i, make in enumerate(self.makers):
            body = body.replace(_marker(i), str(escape(make())).encode())
        if self.csp_extra is not None:
            g.csp_extra = self.csp_extra
        return Response(body, self.status, self.headers)


def _marker(i: int) -> bytes:
    return f"\x00fresh{i}\x00".encode()


@dataclass
class Store:
    """One process's pages and settings, all of one generation (and valid until ``until``).

    Each reset starts a new ``epoch``; a request keeps what it made only while the epoch it began
    in lasts (with threaded workers another request may have reset the store in between).
    """

    generation: int | None = None
    until: datetime | None = None
    epoch: int = 0
    pages: dict = field(default_factory=dict)
    settings: object = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def open(self, generation: int, until: datetime | None, now: datetime) -> int:
        """The epoch for a request that read ``generation``, resetting what is kept if it is out of date."""
        with self.lock:
            if generation != self.generation or (self.until is not None and now >= self.until):
                self.generation, self.until, self.pages, self.settings = generation, until, {}, None
                self.epoch += 1
            return self.epoch

    def keep(self, epoch: int, key, page: KeptPage) -> None:
        with self.lock:
            if epoch != self.epoch:
                return
            if len(self.pages) >= current_app.config["PAGE_CACHE_MAX_PAGES"]:
                self.pages.pop(next(iter(self.pages)))  # the oldest
            self.pages[key] = page

    def keep_settings(self, epoch: int, value) -> None:
        with self.lock:
            if epoch == self.epoch:
                self.settings = value


def _store() -> Store:
    return current_app.extensions["pagecache"]


def _open_store() -> Store | None:
    """Start of a kept page: the generation, read before anything else (see the module's notes)."""
    if request.method not in ("GET", "HEAD") or not current_app.config["PAGE_CACHE"]:
        return None
    now = models.utcnow()
    # Core execution on the session's connection (and transaction): no ORM result processing.
    row = db.session.connection().execute(_generation_query(), {"now": now}).first()
    if row is None:
        return None
    generation, next_sale_end = row
    store = _store()
    g.pagecache_epoch = store.open(generation, next_sale_end, now)
    return store


@cache
def _generation_query() -> sa.Select:
    """The generation, and the first moment after ``now`` at which a sale ends by itself (판매 종료일):
    one statement (an index seek for the second), built once."""
    Product = models.Product
    next_sale_end = sa.select(sa.func.min(Product.sale_ends_at)).where(Product.sale_ends_at > sa.bindparam("now"))
    return sa.select(models.ContentGeneration.n, next_sale_end.scalar_subquery()).where(
        models.ContentGeneration.id == 1
    )


def settings(read: Callable[[], object]) -> object:
    """The shop settings kept for this generation on kept pages; ``read`` reads them from the database."""
    epoch = g.get("pagecache_epoch")
    if epoch is None:
        return read()
    store = _store()
    value = store.settings if store.epoch == epoch else None
    if value is None:
        value = read()
        store.keep_settings(epoch, value)
    return value


def fresh(make: Callable[..., str], *args) -> str:
    """A value made again for every copy of the page served (a token): ``make(*args)``."""
    value = make(*args)
    g.setdefault("pagecache_fresh", []).append((value, partial(make, *args)))
    return value


def _key(reads: tuple[str, ...] = ()):
    ua = request.user_agent.string
    # Only the query arguments the page reads, as it reads them: /?x=<random> or /?before=05 is the page
    # already kept, not a new copy of it (free text, the search's q, is kept as typed).
    args = tuple(
        sorted(
            (name, value if name == "q" else str(parse_int(value)))
            for name, value in request.args.items(multi=True)
            if name in reads or ("option-*" in reads and re.fullmatch(r"option-\d{1,9}", name))
        )
    )
    return (
        request.url_root,
        request.path,
        args,
        select_locale(),
        device_for(ua),  # lists and the checkout follow the device, bots' too;
        is_scraper(ua),  # the product page shows scrapers every device's view
        tuple(session.get(UNLOCKED_SESSION_KEY, ())),
    )


def _keepable(response: Response) -> bool:
    return (
        response.status_code in KEPT_STATUSES
        and not response.is_streamed
        and "no-store" not in response.headers.get("Cache-Control", "")
        and "Set-Cookie" not in response.headers
    )


def _kept(response: Response) -> KeptPage:
    body = response.get_data()
    makers = []
    for value, make in g.get("pagecache_fresh", []):
        encoded = str(escape(value)).encode()
        if encoded in body:
            body = body.replace(encoded, _marker(len(makers)))
            makers.append(make)
    headers = [(k, v) for k, v in response.headers.items() if k not in ("Content-Length", "Set-Cookie", "Vary")]
    return KeptPage(response.status_code, headers, body, makers, g.get("csp_extra"))


def keep(view=None, *, reads: tuple[str, ...] = ()):
    """Serve a shop page from this process's copy when nothing it shows has changed since it was made.

    ``reads``: the query arguments the page reads ("option-*": the checkout's 옵션 selects); any other
    argument is the same page.
    """
    if view is None:
        return lambda view: keep(view, reads=reads)

    @wraps(view)
    def wrapper(**kwargs):
        store = _open_store()
        if store is None or session.get("_flashes"):
            return view(**kwargs)
        key = _key(reads)
        page = store.pages.get(key)
        if page is not None:
            return page.response()
        response = make_response(view(**kwargs))
        if _keepable(response):
            store.keep(g.pagecache_epoch, key, _kept(response))
        return response

    return wrapper


def init_app(app: Flask) -> None:
    app.extensions["pagecache"] = Store()
