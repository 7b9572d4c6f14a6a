"""Product cards are prepared in Python (storefront/catalogue/cards.py) rather than per card in
Jinja: they must say exactly what the card macro used to say, in both languages."""

import re
from datetime import timedelta

import pytest
from flask import url_for

from storefront.catalogue import queries
from storefront.catalogue.cards import ListingLinks, product_cards
from storefront.catalogue.queries import ProductFilters
from storefront.clock import today_vn
from storefront.extensions import db
from tests.catalogue.factories_catalogue import (
    CertificateFactory,
    ProductImageFactory,
    make_certified,
    make_product,
)


def card_for(client, slug, lang="en"):
    client.set_cookie("lang", lang)
    html = client.get("/products").get_data(as_text=True)
    for article in re.findall(r'<article class="card product-card">.*?</article>', html, re.S):
        if f'href="/products/{slug}"' in article:
            return article
    raise AssertionError(f"no card for {slug}")


@pytest.mark.parametrize(
    ("fields", "english", "vietnamese", "css"),
    [
        ({"stock_on_hand": 50}, "In stock", "Còn hàng", "stock-in"),
        ({"stock_on_hand": 3}, "Only 3 left", "Chỉ còn 3", "stock-low"),
        ({"stock_on_hand": 4, "stock_reserved": 4}, "Sold out", "Hết hàng", "stock-out"),
        (
            {"made_to_order": True, "lead_time_days": 30, "stock_on_hand": 0},
            "Made to order, ships in about 30 days",
            "Làm theo đơn, giao sau khoảng 30 ngày",
            "stock-mto",
        ),
        (
            {"made_to_order": True, "lead_time_days": None},
            "Made to order",
            "Làm theo đơn",
            "stock-mto",
        ),
    ],
)
def test_card_stock_wording(app, client, fields, english, vietnamese, css):
    product = make_product(slug="hang", **fields)
    db.session.commit()
    english_card = card_for(client, product.slug, "en")
    assert f'<span class="stock {css}">{english}</span>' in english_card
    assert vietnamese in card_for(client, product.slug, "vi")


def test_card_shows_first_image_price_producer_and_valid_stars_only(app, client):
    today = today_vn()
    product = make_certified(
        stars=4, name="Mật ong bạc hà", slug="mat-ong", price=250_000, unit="hũ 500 ml"
    )
    # An expired 5-star certificate never shows; the valid 4-star one does.
    CertificateFactory(
        product=product,
        stars=5,
        signed_on=today - timedelta(days=1200),
        valid_until=today - timedelta(days=1),
    )
    ProductImageFactory(product=product, position=2, thumb_filename="products/second.jpg")
    ProductImageFactory(product=product, position=1, thumb_filename="products/first.jpg", alt="")
    plain = make_product(slug="khong-anh", name="Khăn lanh")
    db.session.commit()

    card = card_for(client, "mat-ong")
    assert 'src="/static/uploads/products/first.jpg"' in card
    assert 'alt="Mật ong bạc hà"' in card  # an empty alt falls back to the product's name
    assert "250.000\u00a0₫" in card and "hũ 500 ml" in card
    assert product.producer.name in card
    assert card.count("★") == 4 and "OCOP 4-star product" in card

    bare = card_for(client, plain.slug)
    assert "/static/img/product-placeholder.svg" in bare
    assert "★" not in bare and "ocop-badge" not in bare


def test_listing_links_match_url_for(app):
    filters = ProductFilters(
        q="mật ong & trà/“x”", group="food", stars=4, price_min=1000, in_stock=True, page=3
    )
    with app.test_request_context("/products"):
        links = ListingLinks(filters)
        assert links.page(2) == url_for("catalogue.products", **filters.to_args(page=2))
        assert links(group=None) == url_for(
            "catalogue.products", **filters.to_args(page=1, group=None)
        )
        assert ListingLinks(ProductFilters())() == url_for("catalogue.products")


def test_cards_drop_products_that_stopped_being_public(app):
    from storefront.catalogue.models import ProductStatus

    shown = make_product(slug="con-ban")
    hidden = make_product(slug="ngung-ban")
    db.session.commit()
    ids = [hidden.id, shown.id]
    hidden.status = ProductStatus.ARCHIVED
    db.session.commit()
    rows = queries.load_cards(ids, today_vn())
    assert [row.slug for row in rows] == ["con-ban"]
    with app.test_request_context("/"):
        assert [card.url for card in product_cards(rows)] == ["/products/con-ban"]


def test_cached_filters_panel_follows_language_and_counts(app_factory):
    app = app_factory(CACHE_TYPE="SimpleCache")
    with app.app_context():
        make_product(slug="mat-ong", group="food")
        db.session.commit()
        client = app.test_client()

        def panel(lang):
            client.set_cookie("lang", lang)
            html = client.get("/products?group=food").get_data(as_text=True)
            return re.search(r'<aside class="filters".*?</aside>', html, re.S).group()

        vietnamese, english = panel("vi"), panel("en")
        assert "Nhóm sản phẩm OCOP" in vietnamese and "OCOP group" in english
        assert panel("vi") == vietnamese  # served from the cache, same language

        make_product(slug="mat-ong-2", group="food")
        db.session.commit()  # a new catalogue version: new counts at the next request
        assert re.search(r'<span class="facet-count">2</span>', panel("en"))


def test_cached_cards_follow_the_row_and_the_language(app_factory):
    app = app_factory(CACHE_TYPE="SimpleCache")
    with app.app_context():
        product = make_product(slug="mat-ong", stock_on_hand=50, price=100_000)
        db.session.commit()
        client = app.test_client()
        assert "Còn hàng" in card_for(client, "mat-ong", "vi")
        assert "In stock" in card_for(client, "mat-ong", "en")

        product.stock_on_hand = 2
        product.price = 90_000
        db.session.commit()
        card = card_for(client, "mat-ong", "en")
        assert "Only 2 left" in card and "90.000" in card
        assert "Chỉ còn 2" in card_for(client, "mat-ong", "vi")
