"""The listing's main part is rendered once and shared (catalogue/fragments.py); what differs
per visitor (the CSRF token, this page's address, the wishlist hearts, a sale that starts)
must still be each visitor's own."""

import re
from datetime import timedelta

from storefront.catalogue import fragments
from storefront.clock import utcnow
from storefront.extensions import db
from tests.catalogue.factories_catalogue import make_product

CACHED = {"CACHE_TYPE": "SimpleCache", "CATALOGUE_CACHE_SECONDS": 600}


def wish_tokens(html: str) -> set[str]:
    forms = re.findall(r'<form class="wish-form".*?</form>', html, re.S)
    assert forms, "no wishlist form on the page"
    return {re.search(r'name="csrf_token" value="([^"]+)"', form).group(1) for form in forms}


def wish_next(html: str) -> set[str]:
    forms = re.findall(r'<form class="wish-form".*?</form>', html, re.S)
    return {re.search(r'name="next" value="([^"]*)"', form).group(1) for form in forms}


def session_token(client) -> str:
    with client.session_transaction() as session:
        return session["csrf_token"]


def test_each_visitor_gets_their_own_token_and_address(app_factory, count_queries):
    app = app_factory(**CACHED)
    with app.app_context():
        make_product(name="Mật ong bạc hà")
        make_product(name="Khăn lanh dệt tay")
        db.session.commit()
    first, second = app.test_client(), app.test_client()

    page_one = first.get("/products?group=food&utm_source=a").text
    with app.app_context(), count_queries() as seen:
        page_two = second.get("/products?utm_source=b&group=food").text
    assert len(seen) == 1  # the catalogue version: the shared part came from the cache

    for page in (page_one, page_two):
        assert "@@csrf-" not in page and "@@page-" not in page
    one, two = wish_tokens(page_one), wish_tokens(page_two)
    assert len(one) == 1 and len(two) == 1 and one != two
    # The token each page carries is signed from that visitor's own session secret.
    app.config["WTF_CSRF_ENABLED"] = True
    with app.test_request_context():
        from flask import session
        from flask_wtf.csrf import validate_csrf

        session["csrf_token"] = session_token(second)
        validate_csrf(next(iter(two)))
    assert wish_next(page_one) == {"/products?group=food&amp;utm_source=a"}
    assert wish_next(page_two) == {"/products?utm_source=b&amp;group=food"}


def test_a_wished_product_shows_its_heart_on_a_cached_page(app_factory):
    app = app_factory(**CACHED)
    with app.app_context():
        honey = make_product(name="Mật ong bạc hà")
        make_product(name="Khăn lanh dệt tay")
        db.session.commit()
        honey_id = honey.id
    stranger, fan = app.test_client(), app.test_client()
    assert "wish-button wished" not in stranger.get("/products").text  # now cached

    fan.post("/wishlist/add", data={"product_id": honey_id, "next": "/products"})
    page = fan.get("/products").text
    assert page.count("wish-button wished") == 1
    assert f'name="product_id" value="{honey_id}"' in page
    assert "wish-button wished" not in stranger.get("/products").text


def test_a_sale_that_starts_after_the_page_was_kept_shows_at_once(app_factory, monkeypatch):
    app = app_factory(**CACHED)
    now = utcnow()
    with app.app_context():
        make_product(
            name="Mật ong bạc hà",
            price=200_000,
            sale_price=150_000,
            sale_starts_at=now + timedelta(minutes=5),
            sale_ends_at=now + timedelta(days=1),
        )
        db.session.commit()
    client = app.test_client()
    assert "150.000" not in client.get("/products").text

    later = now + timedelta(minutes=6)
    monkeypatch.setattr("storefront.promotions.pricing.utcnow", lambda: later)
    monkeypatch.setattr(fragments, "utcnow", lambda: later)
    assert "150.000" in client.get("/products").text


def test_the_home_page_is_shared_but_recent_products_are_each_visitors_own(app_factory):
    app = app_factory(**CACHED)
    with app.app_context():
        honey = make_product(name="Mật ong bạc hà")
        db.session.commit()
        honey_url = f"/products/{honey.slug}"
    stranger, visitor = app.test_client(), app.test_client()
    assert 'id="recent-heading"' not in stranger.get("/").text  # now kept
    visitor.get(honey_url)
    page = visitor.get("/").text
    assert "@@" not in page
    assert "Mật ong bạc hà" in page[page.index('id="recent-heading"') :]
    assert 'id="recent-heading"' not in stranger.get("/").text
