"""Pieces of shop pages rendered once and kept per process: the header and menu, product cards.

Every page repeats them, and rendering them (URLs, translations, escaping) cost more than the
rest of a product page. A fragment is kept under everything it shows, which the template lists
as the key, plus what all fragments depend on: the language and the path the app is mounted at.
Nothing needs invalidating, since changed data makes a new key; the cache is emptied when it
holds ``MAX_FRAGMENTS`` pieces.

    {% call cached('card', product) %}…{% endcall %}
"""

from collections.abc import Callable, Hashable

from flask import Flask, current_app, request
from flask_babel import get_locale
from markupsafe import Markup

MAX_FRAGMENTS = 5000
_CACHE_KEY = "storefront.fragments"


def cached(*key: Hashable, caller: Callable[[], str]) -> Markup:
    """The body of a ``{% call cached(...) %}`` block, rendered the first time its key is seen.

    Lists in the key (e.g. ``categories|map(attribute='name')|list``) count by their items.
    """
    cache = current_app.extensions[_CACHE_KEY]
    full_key = (tuple(tuple(k) if isinstance(k, list) else k for k in key), str(get_locale()), request.script_root)
    html = cache.get(full_key)
    if html is None:
        if len(cache) >= MAX_FRAGMENTS:
            cache.clear()
        html = cache[full_key] = Markup(caller())
    return html


def init_app(app: Flask) -> None:
    app.extensions[_CACHE_KEY] = {}
    app.jinja_env.globals["cached"] = cached
