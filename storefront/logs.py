"""Logs go to standard output, where process managers and containers collect them."""

import logging
import sys

from flask import Flask


def init_app(app: Flask) -> None:
    if app.testing or app.debug:
        return
    root = logging.getLogger()
    if not root.handlers:  # gunicorn and friends may have set up logging already
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
