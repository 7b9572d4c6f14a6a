"""The stars kept on the product row (catalogue/stars.py) agree with the certificates
(Product.stars_on, the reference) after every kind of certificate write, including the day a
certificate lapses while a lower one stays valid."""

from datetime import timedelta

from sqlalchemy import select

from storefront.catalogue import stars
from storefront.catalogue.certificates import reject_certificate, verify_certificate
from storefront.catalogue.models import CertificateStatus, Product
from storefront.catalogue.queries import ProductFilters, load_cards, search_products
from storefront.clock import today_vn
from storefront.extensions import db
from tests.catalogue.factories_catalogue import CertificateFactory, make_product


def _row_stars(product, on):
    db.session.flush()
    return db.session.scalar(select(stars.stars(on)).where(Product.id == product.id))


def _agree(product, on):
    db.session.expire(product)
    expected = product.stars_on(on)
    assert _row_stars(product, on) == expected, on
    return expected


def test_row_stars_follow_inserts_reviews_and_deletes(app):
    today = today_vn()
    product = make_product()
    assert _agree(product, today) is None
    # A 5-star certificate that lapses in 10 days, and a renewed 4-star one that runs on.
    five = CertificateFactory(
        product=product,
        stars=5,
        signed_on=today - timedelta(days=1000),
        valid_until=today + timedelta(days=10),
    )
    four = CertificateFactory(product=product, stars=4, status=CertificateStatus.PENDING)
    assert _agree(product, today) == 5
    assert _agree(product, today + timedelta(days=11)) is None  # the 4 stars are not verified
    verify_certificate(db.session, four, actor_id=None)  # a conditional UPDATE, not the ORM
    assert _agree(product, today + timedelta(days=10)) == 5  # its last valid day
    assert _agree(product, today + timedelta(days=11)) == 4  # the day it lapses
    reject_certificate(db.session, five, None, "Sai số quyết định", today)
    assert _agree(product, today) == 4
    five.status = CertificateStatus.VERIFIED
    five.stars = 3
    db.session.flush()
    assert _agree(product, today) == 4
    db.session.delete(four)
    assert _agree(product, today) == 3
    assert _agree(product, today + timedelta(days=11)) is None
    db.session.delete(five)
    assert _agree(product, today) is None


def test_listing_filters_cards_and_sort_read_the_row(app):
    today = today_vn()
    lapsed = make_product(name="Hết hạn hôm qua")
    CertificateFactory(
        product=lapsed, stars=5, signed_on=today - timedelta(days=900), valid_until=today
    )
    CertificateFactory(product=lapsed, stars=3)
    moved = make_product(name="Chứng nhận chuyển đi")
    other = make_product(name="Chứng nhận chuyển đến")
    certificate = CertificateFactory(product=moved, stars=4)
    certificate.product = other  # a certificate moved to another product updates both
    db.session.flush()
    tomorrow = today + timedelta(days=1)

    def ids(on, **filters):
        return set(search_products(ProductFilters(**filters), on).ids)

    assert ids(today, stars=5) == {lapsed.id}
    assert ids(tomorrow, stars=5) == set()
    assert ids(tomorrow, stars=3) == {lapsed.id, other.id}
    assert ids(tomorrow, stars=4) == {other.id}
    page = search_products(ProductFilters(sort="stars"), tomorrow)
    assert page.ids[:2] == [other.id, lapsed.id]
    assert page.facets.stars == [(3, 2), (4, 1), (5, 0)]
    cards = {card.id: card.stars for card in load_cards([lapsed.id, moved.id, other.id], tomorrow)}
    assert cards == {lapsed.id: 3, moved.id: None, other.id: 4}
