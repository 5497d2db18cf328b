"""The floor: the least a Flask page can cost here — one product row from the same database, through Jinja.

Flask-SQLAlchemy reads the row by primary key (``db.session.get``) and a template file
renders it; Jinja compiles that file once per process and keeps it, as it keeps the shop's.
Served by gunicorn with the same settings as the shop, so the shop's pages can be compared
with what the framework itself costs on this machine.
"""

import os

from flask import Flask, abort, render_template
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Product(db.Model):
    __tablename__ = "product"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    price: Mapped[int]


app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
db.init_app(app)


@app.get("/products/<int:product_id>")
def product(product_id: int):
    row = db.session.get(Product, product_id)
    if row is None:
        abort(404)
    return render_template("floor.html", name=row.name, price=row.price)
