"""Korean by default; English for whoever chooses it (a cookie set from the footer link)."""

from flask import Flask, current_app, request
from flask_babel import Babel

LANG_COOKIE = "lang"


def select_locale() -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask, babel: Babel) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(app.root_path + "/translations"),
    )
