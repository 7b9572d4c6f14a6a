"""Stars only while a verified certificate is valid: the boundary days, every surface."""

from datetime import date, timedelta

import pytest

from storefront.catalogue.queries import ProductFilters, home_page, load_cards, search_products
from storefront.extensions import db
from storefront.models import CertificateStatus
from tests.catalogue.factories_catalogue import CertificateFactory, make_product

SIGNED = date(2023, 6, 1)
VALID_UNTIL = date(2026, 6, 1)  # 36 months later
DAY_AFTER = VALID_UNTIL + timedelta(days=1)
STARS = '<span class="stars" aria-hidden="true">'


@pytest.fixture
def honey(app):
    product = make_product(
        name="Mật ong bạc hà Đồng Văn", slug="mat-ong", featured=True, featured_position=1
    )
    CertificateFactory(
        product=product,
        number="OCOP-HG-2023-017",
        stars=4,
        signed_on=SIGNED,
        valid_until=VALID_UNTIL,
        issuing_authority="UBND tỉnh Hà Giang",
        decision_number="1234/QĐ-UBND",
    )
    db.session.commit()
    return product


def test_default_validity_is_36_months():
    from storefront.models import Certificate

    assert Certificate.default_valid_until(SIGNED) == VALID_UNTIL


def test_product_page_on_the_last_valid_day_shows_stars_and_details(honey, client, set_today):
    set_today(VALID_UNTIL)
    client.set_cookie("lang", "en")
    html = client.get("/products/mat-ong").get_data(as_text=True)
    assert STARS + "★★★★</span>" in html
    assert "OCOP-HG-2023-017" in html
    assert "UBND tỉnh Hà Giang" in html
    assert "1234/QĐ-UBND" in html
    assert "expired on" not in html
    assert '"award"' in html  # JSON-LD mentions the valid award


def test_product_page_the_day_after_says_expired_without_stars(honey, client, set_today):
    set_today(DAY_AFTER)
    client.set_cookie("lang", "en")
    response = client.get("/products/mat-ong")
    html = response.get_data(as_text=True)
    assert STARS not in html
    assert "★" not in html
    assert "The OCOP certificate expired on" in html
    assert "OCOP-HG-2023-017" not in html  # details show only while valid
    assert '"award"' not in html


def test_expired_message_in_vietnamese(honey, client, set_today):
    set_today(DAY_AFTER)
    html = client.get("/products/mat-ong").get_data(as_text=True)
    assert "Chứng nhận OCOP đã hết hạn vào" in html


def test_signed_day_is_valid_and_the_day_before_is_not(honey, client, set_today):
    set_today(SIGNED)
    assert STARS in client.get("/products/mat-ong").get_data(as_text=True)
    set_today(SIGNED - timedelta(days=1))
    assert STARS not in client.get("/products/mat-ong").get_data(as_text=True)


@pytest.mark.parametrize(("day", "stars"), [(VALID_UNTIL, 4), (DAY_AFTER, None)])
def test_listing_facets_home_and_api_follow_the_boundary(honey, client, set_today, day, stars):
    set_today(day)
    listing = search_products(ProductFilters(), day)
    assert load_cards(listing.ids, day)[0].stars == stars
    assert listing.facets.stars[1] == (4, 1 if stars else 0)
    assert search_products(ProductFilters(stars=4), day, with_facets=False).total == (
        1 if stars else 0
    )
    assert [p.slug for p in home_page(day).featured] == (["mat-ong"] if stars else [])

    html = client.get("/products").get_data(as_text=True)
    assert (STARS in html) is bool(stars)
    body = client.get("/api/v1/products/mat-ong").get_json()
    assert body["stars"] == stars
    assert body["certificate"]["status"] == ("valid" if stars else "expired")
    assert body["certificate"]["stars"] == stars
    assert client.get("/api/v1/products?stars=4").get_json()["total"] == (1 if stars else 0)


def test_pending_and_rejected_certificates_never_show_stars(app, client):
    product = make_product(slug="cho-duyet")
    CertificateFactory(product=product, stars=5, status=CertificateStatus.PENDING)
    CertificateFactory(product=product, stars=5, status=CertificateStatus.REJECTED)
    db.session.commit()
    html = client.get("/products/cho-duyet").get_data(as_text=True)
    assert STARS not in html
    assert client.get("/api/v1/products/cho-duyet").get_json()["stars"] is None


def test_best_valid_certificate_wins(app, client):
    product = make_product(slug="hai-chung-nhan")
    CertificateFactory(product=product, stars=3)
    CertificateFactory(product=product, stars=5, status=CertificateStatus.PENDING)
    CertificateFactory(product=product, stars=4)
    db.session.commit()
    assert client.get("/api/v1/products/hai-chung-nhan").get_json()["stars"] == 4


@pytest.mark.parametrize(
    ("day", "status", "text"),
    [
        (VALID_UNTIL, "valid", "This certificate is verified and valid today"),
        (DAY_AFTER, "expired", "This certificate expired on"),
        (SIGNED - timedelta(days=1), "not_yet_valid", "This certificate takes effect on"),
    ],
)
def test_certificate_page_status(honey, client, set_today, day, status, text):
    set_today(day)
    client.set_cookie("lang", "en")
    response = client.get("/certificates/OCOP-HG-2023-017")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert text in html
    assert "Mật ong bạc hà Đồng Văn" in html
    assert "UBND tỉnh Hà Giang" in html
    assert f"certificate-status-{status}" in html
    assert (STARS in html) is (status == "valid")
    assert "/certificates/OCOP-HG-2023-017/qr.svg" in html


def test_unverified_certificate_page(app, client):
    product = make_product()
    CertificateFactory(product=product, number="CHO-1", status=CertificateStatus.PENDING)
    db.session.commit()
    client.set_cookie("lang", "en")
    html = client.get("/certificates/CHO-1").get_data(as_text=True)
    assert "has not verified this certificate" in html
    assert STARS not in html


def test_certificate_numbers_with_slashes(app, client):
    product = make_product()
    CertificateFactory(product=product, number="123/QĐ-UBND")
    db.session.commit()
    assert client.get("/certificates/123/QĐ-UBND").status_code == 200
    qr = client.get("/certificates/123/QĐ-UBND/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"


def test_qr_code_encodes_the_public_verification_url(honey, client):
    response = client.get("/certificates/OCOP-HG-2023-017/qr.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "<script" not in svg and "style=" not in svg
    # QR encoding is deterministic: the same symbol means the same encoded URL, which is the
    # configured public URL (not the request's Host header).
    from storefront.catalogue.qr import qr_svg

    assert svg == qr_svg("http://127.0.0.1:5000/certificates/OCOP-HG-2023-017").decode()


def test_unknown_certificate_is_404(app, client):
    assert client.get("/certificates/NOPE").status_code == 404
    assert client.get("/certificates/NOPE/qr.svg").status_code == 404
