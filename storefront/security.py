"""Response headers every page carries."""

from flask import Flask


def init_app(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        # Product URLs are secrets: never send them to another site as a Referer.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
