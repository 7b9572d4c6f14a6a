"""The baseline: the smallest honest Flask + Flask-SQLAlchemy page that lists 24 products
from the same database, rendered through Jinja. Everything the shop does beyond this
(sessions, i18n, CSP, facets, certificates, search) is what the ratios measure.

Served by gunicorn exactly like the shop: `gunicorn bench.minimal_app:app`.
"""

import os

from flask import Flask, render_template_string
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Integer, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Product(db.Model):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(120))
    price: Mapped[int]


PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Sản phẩm</title></head>
<body><h1>Sản phẩm</h1><ul>
{% for p in products %}<li><a href="/products/{{ p.slug }}">{{ p.name }}</a> {{ p.price }} ₫</li>
{% endfor %}</ul></body></html>"""


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    db.init_app(app)

    @app.get("/")
    def listing():
        products = db.session.scalars(select(Product).order_by(Product.id.desc()).limit(24)).all()
        return render_template_string(PAGE, products=products)

    @app.get("/healthz")
    def healthz():
        return "ok"

    return app


app = create_app() if "DATABASE_URL" in os.environ else None
