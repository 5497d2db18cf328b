"""Error pages in the shop's language: a clear message and a way back, never a bare traceback.

The failed request's transaction is rolled back before any error page renders
(the page reads the shop's settings), and when even that page cannot reach the
database a plain page without the shop's details is sent instead.
"""

import logging

import sqlalchemy as sa
from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, SecurityError

from .extensions import db
from .storage import StorageError

log = logging.getLogger(__name__)

_PLAIN_PAGE = (
    '<!doctype html><html lang="ko"><meta charset="utf-8"><title>{title}</title><h1>{title}</h1><p>{message}</p>'
)


def _page(status: int, title: str, message: str):
    try:
        db.session.rollback()
        return render_template("errors.html", status=status, title=title, message=message), status
    except sa.exc.SQLAlchemyError as exc:
        log.error("error page %s without the database: %s", status, exc)
        db.session.remove()
        return _plain_page(status, title, message)


def _plain_page(status: int, title: str, message: str):
    return _PLAIN_PAGE.format(title=escape(title), message=escape(message)), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return _page(
            400,
            _("The form has expired"),
            _("For your security the form could not be sent. Go back, reload the page and try again."),
        )

    @app.errorhandler(SecurityError)
    def untrusted_host(exc):
        # A Host that TRUSTED_HOSTS does not list: no URL can be built for it, so no links on this page.
        return _plain_page(400, _("Something went wrong"), _("The request could not be completed."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        messages = {
            404: (_("Page not found"), _("The address may be wrong, or the page no longer exists.")),
            405: (_("Not allowed"), _("This page cannot be used that way.")),
            413: (
                _("The upload is too large"),
                _("The files sent together are too large. Send fewer or smaller images."),
            ),
        }
        title, message = messages.get(exc.code, (_("Something went wrong"), _("The request could not be completed.")))
        return _page(exc.code or 500, title, message)

    @app.errorhandler(StorageError)
    def storage_unavailable(exc: StorageError):
        log.error("picture storage: %s", exc)
        return _page(
            503,
            _("Pictures are unavailable"),
            _("The picture storage did not answer. Please try again in a moment."),
        )

    @app.errorhandler(500)
    def server_error(exc):
        return _page(500, _("Something went wrong"), _("Please try again in a moment."))
