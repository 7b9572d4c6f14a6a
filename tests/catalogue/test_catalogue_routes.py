"""Catalogue pages: what each shows, public-only rules, SEO files, CSP-safe markup."""

import json
import re

import pytest

from storefront.extensions import db
from storefront.models import ProducerKind, ProducerStatus, ProductStatus
from tests.catalogue.factories_catalogue import (
    CertificateFactory,
    ProducerFactory,
    ProductImageFactory,
    make_certified,
    make_product,
)

EN = "en"


@pytest.fixture
def shop(app):
    coop = ProducerFactory(
        name="HTX Mật ong Đồng Văn",
        slug="htx-mat-ong",
        story="Chúng tôi nuôi ong trên cao nguyên đá.",
        kind=ProducerKind.COOPERATIVE,
    )
    honey = make_certified(
        4,
        name="Mật ong bạc hà Đồng Văn",
        slug="mat-ong",
        producer=coop,
        unit="hũ 500 ml",
        price=350_000,
        season_start_month=10,
        season_end_month=2,
        description="Mật ong bạc hà.\n\nThu hoạch từ tháng 10 đến tháng 2.",
        certificate={"number": "OCOP-HG-017"},
    )
    ProductImageFactory(product=honey, filename="p/honey.jpg", thumb_filename="p/honey-t.jpg")
    ProductImageFactory(product=honey, filename="p/honey2.jpg", thumb_filename="p/honey2-t.jpg")
    make_product(
        name="Vải lanh dệt tay",
        slug="vai-lanh",
        group="handicraft",
        subgroup="textiles",
        made_to_order=True,
        lead_time_days=30,
        stock_on_hand=0,
    )
    make_product(name="Mật ong bán hết", slug="ban-het", producer=coop, stock_on_hand=0)
    make_product(name="Nháp", slug="nhap", status=ProductStatus.DRAFT, producer=coop)
    pending = ProducerFactory(slug="cho-duyet", status=ProducerStatus.PENDING)
    make_product(name="Của HTX chờ duyệt", slug="cua-cho-duyet", producer=pending)
    db.session.commit()
    return honey


def get(client, url, lang="vi"):
    client.set_cookie("lang", lang)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_product_page(shop, client):
    html = get(client, "/products/mat-ong", EN)
    assert "<h1>Mật ong bạc hà Đồng Văn</h1>" in html
    assert "350.000\u00a0₫" in html and "hũ 500 ml" in html
    assert "/static/uploads/p/honey.jpg" in html and "/static/uploads/p/honey2-t.jpg" in html
    assert "In stock" in html
    assert "Season: October to February" in html
    # The producer card: story, current place beside the historical address.
    assert "Chúng tôi nuôi ong trên cao nguyên đá." in html
    assert "Xã Đồng Văn, Tuyên Quang" in html
    assert "formerly huyện Đồng Văn, tỉnh Hà Giang" in html
    # Related: same producer first.
    related = html[html.index('id="related-heading"') :]
    assert "Mật ong bán hết" in related
    assert "Nháp" not in html


def test_add_to_cart_form(shop, client, app):
    html = get(client, "/products/mat-ong", EN)
    form = re.search(
        r'<form class="add-to-cart" action="([^"]+)" method="post">(.*?)</form>', html, re.S
    )
    assert form is not None
    assert form.group(1) == "/cart/add" or "cart.add" not in app.view_functions
    body = form.group(2)
    assert 'name="csrf_token"' in body
    assert f'name="product_id" value="{shop.id}"' in body
    assert 'name="quantity"' in body
    assert "Add to cart" in body
    assert "Thêm vào giỏ" in get(client, "/products/mat-ong")
    # Sold out: no form.
    assert 'class="add-to-cart"' not in get(client, "/products/ban-het", EN)


def test_made_to_order_lead_time_and_placeholder(shop, client):
    html = get(client, "/products/vai-lanh", EN)
    assert "Made to order, ships in about 30 days" in html
    assert "/static/img/product-placeholder.svg" in html
    assert 'class="add-to-cart"' in html
    vi = get(client, "/products/vai-lanh")
    assert "Làm theo đơn, giao sau khoảng 30 ngày" in vi


@pytest.mark.parametrize("slug", ["nhap", "cua-cho-duyet", "khong-co"])
def test_non_public_products_are_404(shop, client, slug):
    assert client.get(f"/products/{slug}").status_code == 404


def test_json_ld_and_open_graph(shop, client):
    html = get(client, "/products/mat-ong")
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(match.group(1))
    assert data["@type"] == "Product"
    assert data["name"] == "Mật ong bạc hà Đồng Văn"
    [offer] = data["offers"]  # one Offer per variant; this product has one
    assert offer["price"] == 350_000 and offer["sku"] == "MAT-ONG"
    assert offer["priceCurrency"] == "VND"
    assert offer["availability"] == "https://schema.org/InStock"
    assert data["brand"]["name"] == "HTX Mật ong Đồng Văn"
    assert 'property="og:title" content="Mật ong bạc hà Đồng Văn"' in html
    assert 'property="og:image" content="http://127.0.0.1:5000/static/uploads/p/honey.jpg"' in html


def test_json_ld_cannot_be_broken_out_of(app, client):
    make_product(slug="xss", name="</script><script>alert(1)</script>", description="<b>&</b>")
    db.session.commit()
    html = get(client, "/products/xss")
    assert "<script>alert(1)</script>" not in html
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert json.loads(match.group(1))["name"] == "</script><script>alert(1)</script>"


def test_home(shop, client):
    html = get(client, "/", EN)
    assert "Browse by OCOP group" in html
    assert "Mật ong bạc hà Đồng Văn" in html  # newest
    assert "HTX Mật ong Đồng Văn" in html  # producers
    assert "/products?group=handicraft" in html
    assert "Nháp" not in html and "Của HTX chờ duyệt" not in html


def test_listing_pagination_links(app_factory):
    app = app_factory(CATALOGUE_PER_PAGE=2)
    with app.app_context():
        for i in range(5):
            make_product(name=f"Trà {i}", price=1000 * (i + 1))
        db.session.commit()
        client = app.test_client()
        html = get(client, "/products?sort=price_asc&page=2", EN)
        assert "Trà 2" in html and "Trà 3" in html and "Trà 0" not in html
        assert 'href="/products?sort=price_asc&amp;page=3" rel="next"' in html
        assert 'href="/products?sort=price_asc" rel="prev"' in html
        assert '<span aria-current="page">2</span>' in html


def test_producers_pages(shop, client):
    html = get(client, "/producers", EN)
    assert "HTX Mật ong Đồng Văn" in html
    assert "2 products" in html
    assert "cho-duyet" not in html
    page = get(client, "/producers/htx-mat-ong", EN)
    assert "Chúng tôi nuôi ong trên cao nguyên đá." in page
    assert "Cooperative" in page
    assert "Xã Đồng Văn, Tuyên Quang" in page and "huyện Đồng Văn, tỉnh Hà Giang" in page
    assert "Mật ong bạc hà Đồng Văn" in page and "Nháp" not in page
    assert "/certificates/OCOP-HG-017" in page
    assert "4★ valid" in page
    assert client.get("/producers/cho-duyet").status_code == 404


def test_sitemap_lists_only_public_pages(shop, client):
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    xml = response.get_data(as_text=True)
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert "<loc>http://127.0.0.1:5000/products/mat-ong</loc>" in xml
    assert "<loc>http://127.0.0.1:5000/producers/htx-mat-ong</loc>" in xml
    assert "/products/nhap<" not in xml and "cho-duyet" not in xml


def test_robots(shop, client):
    response = client.get("/robots.txt")
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert "Sitemap: http://127.0.0.1:5000/sitemap.xml" in text
    assert "Disallow: /admin" in text


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/products",
        "/products?q=khong+co+gi",
        "/products/mat-ong",
        "/producers",
        "/producers/htx-mat-ong",
        "/certificates/OCOP-HG-017",
    ],
)
def test_markup_is_csp_safe(shop, client, url):
    html = get(client, url)
    assert " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)
    for script in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        attrs, body = script
        assert 'type="application/ld+json"' in attrs or (" src=" in attrs and not body.strip())
    assert "<img" not in re.sub(r'<img[^>]*\salt="[^"]*"[^>]*>', "", html)  # alt on every image


def test_unverified_stars_never_reach_cards(app, client):
    product = make_product(slug="cho")
    CertificateFactory(
        product=product,
        stars=5,
        status=__import__(
            "storefront.models", fromlist=["CertificateStatus"]
        ).CertificateStatus.PENDING,
    )
    db.session.commit()
    assert "ocop-badge" not in get(client, "/products")
