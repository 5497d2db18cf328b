"""Error pages in the shop's language: a clear message and a way back, never a bare traceback."""

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


def _page(status: int, title: str, message: str):
    return render_template("errors.html", status=status, title=title, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return _page(
            400,
            _("The form has expired"),
            _("For your security the form could not be sent. Go back, reload the page and try again."),
        )

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

    @app.errorhandler(500)
    def server_error(exc):
        return _page(500, _("Something went wrong"), _("Please try again in a moment."))
