"""The floor: the least a Flask page can cost here — one product row from the same database, through Jinja.

Served by gunicorn with the same settings as the shop, so the shop's pages can be
compared with what the framework itself costs on this machine.
"""

import os

import sqlalchemy as sa
from flask import Flask, abort, render_template_string

TEMPLATE = """<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><title>{{ name }}</title></head>
<body><h1>{{ name }}</h1><p>{{ "{:,}".format(price) }}원</p></body></html>"""

app = Flask(__name__)
engine = sa.create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
query = sa.text("SELECT name, price FROM product WHERE public_token = :token")


@app.get("/products/<token>")
def product(token):
    with engine.connect() as conn:
        row = conn.execute(query, {"token": token}).first()
    if row is None:
        abort(404)
    return render_template_string(TEMPLATE, name=row.name, price=row.price)
