"""Which work may write, decided in one place, and SQLite write transactions begun with BEGIN IMMEDIATE.

A deferred SQLite transaction that reads and then writes cannot wait for the
write lock: when another connection committed in between, SQLite reports
"database is locked" at once. So work that may write takes the lock up front
(BEGIN IMMEDIATE) and queues on the busy timeout instead; pages that only read
keep the cheap deferred BEGIN, and readers never wait for writers (WAL).
"""

import logging

import sqlalchemy as sa
from flask import Flask, current_app, has_request_context, request

from .extensions import db

log = logging.getLogger(__name__)

# GET pages that also write: looking at an overdue order cancels it (buyer and admin), and opening an
# order in the admin marks its notifications read; the first-run setup page stores a one-time code;
# the 2단계 인증 page stores the secret its QR shows. Every other GET or HEAD page only reads.
WRITING_GET_ENDPOINTS = frozenset(
    # 주문 관리 writes the 접속기록 of a search (by name, phone or order number).
    {
        "admin.order_detail", "admin.orders_list", "admin.setup", "admin.two_factor",
        "shop.order", "shop.card_success", "shop.card_fail",
    }  # fmt: skip
)

_PAGE = "storefront.page"  # set in the WSGI environ of requests dispatched to a view
_APART = "storefront.write_apart"  # set while write_at_once runs on a page that otherwise only reads


def may_write() -> bool:
    """Whether the current work may write.

    Commands, background jobs (the e-mail sender) and every page but GET/HEAD
    may; a GET or HEAD page only when its endpoint is in WRITING_GET_ENDPOINTS.
    """
    if not has_request_context() or not request.environ.get(_PAGE) or request.environ.get(_APART):
        return True
    return request.method not in ("GET", "HEAD") or request.endpoint in WRITING_GET_ENDPOINTS


@sa.event.listens_for(sa.engine.Engine, "begin")
def _begin_sqlite(conn):
    if conn.dialect.name != "sqlite":
        return
    immediate = may_write()
    conn.info["sqlite_immediate"] = immediate
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@sa.event.listens_for(sa.engine.Engine, "before_cursor_execute")
def _check_sqlite_write(conn, cursor, statement, parameters, context, executemany):
    """A write in a deferred transaction: a GET page that writes is missing from WRITING_GET_ENDPOINTS."""
    if conn.dialect.name != "sqlite" or conn.info.get("sqlite_immediate", True):
        return
    if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
        message = f"{request.endpoint} writes during a GET: add it to WRITING_GET_ENDPOINTS"
        if current_app.testing:
            raise RuntimeError(message)
        log.warning(message)


def write_at_once(statement: sa.Executable) -> int:
    """Run one small write and commit it now, on any page; its rowcount.

    For bookkeeping done before a view runs (a login's last activity, storefront.logins). A page that
    may write runs it in the request's transaction, still empty, and commits. A page that only reads
    keeps its deferred transaction and writes on a connection of its own that begins IMMEDIATE (so it
    waits for SQLite's lock instead of failing); WAL lets the page's open read go on beside it.
    """
    if may_write():
        count = db.session.execute(statement).rowcount
        db.session.commit()
        return count
    request.environ[_APART] = True
    try:
        with db.engine.begin() as conn:
            return conn.execute(statement).rowcount
    finally:
        request.environ.pop(_APART, None)


def init_app(app: Flask) -> None:
    # Registered before any other before_request hook, so it precedes every query of the request.
    @app.before_request
    def mark_page():
        request.environ[_PAGE] = True
