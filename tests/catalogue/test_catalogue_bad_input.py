"""Bad input gives a normal page (with a notice) or a 400 with a message, never a 500."""

import pytest
from werkzeug.datastructures import MultiDict

from storefront.catalogue.forms import parse_listing_args
from storefront.extensions import db
from tests.catalogue.factories_catalogue import make_certified

HUGE_Q = "mật ong " * 1250  # 10 kB


@pytest.fixture
def honey(app):
    make_certified(name="Mật ong bạc hà Đồng Văn", slug="mat-ong", price=250_000)
    db.session.commit()


@pytest.mark.parametrize(
    "query",
    [
        "group=nope",
        "group=",
        "stars=2",
        "stars=abc",
        "stars=4.5",
        "stars=-3",
        "producer=no-such-producer",
        "producer=%00",
        "producer=" + "x" * 5000,
        "province=999",
        "province=abc",
        "province=-1",
        "price_min=abc",
        "price_min=-5",
        "price_max=1e9",
        "price_max=99999999999999999999999999",
        "price_min=%EF%BC%91%EF%BC%92",  # full-width digits
        "in_stock=maybe",
        "sort=drop+table",
        "page=-1",
        "page=0",
        "page=abc",
        "page=1.5",
        "page=99999999999999999999999999999999",
        "page=%D9%A1",  # Arabic-Indic digit one
        "q=%00%01%02",
        "q=" + "%F0%9F%8D%AF" * 50,  # emoji
        "q=%27%3B+DROP+TABLE+products%3B--",
        "q=%25%25%25_",
        "q=" + HUGE_Q.replace(" ", "+"),
        "group=food&group=nope",
    ],
)
def test_listing_never_fails(honey, client, query):
    response = client.get("/products?" + query)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "group=nope",
        "stars=abc",
        "price_min=abc",
        "page=abc",
        "province=999",
        "sort=nope",
        "producer=no-such-producer",
        "per_page=-1",
        "page=99999999999999999999999999999999",
        "q=" + HUGE_Q.replace(" ", "+"),
        "q=%00",
    ],
)
def test_api_never_fails(honey, client, query):
    response = client.get("/api/v1/products?" + query)
    assert response.status_code in (200, 400, 404)  # 404: a well-formed slug of no producer
    if response.status_code != 200:
        assert response.get_json()["error"]["message"]


def test_ignored_filters_are_explained(honey, client):
    client.set_cookie("lang", "en")
    html = client.get("/products?group=nope&price_min=abc&page=abc").get_data(as_text=True)
    assert "Some filters were ignored" in html
    assert "Unknown product group." in html
    assert "The minimum price must be a whole number of đồng." in html
    assert "Mật ong bạc hà Đồng Văn" in html  # the rest of the page still works


def test_huge_page_shows_the_last_page(honey, client):
    html = client.get("/products?page=999999999999").get_data(as_text=True)
    assert "Mật ong bạc hà Đồng Văn" in html


def test_huge_query_still_searches(honey, client):
    html = client.get("/products", query_string={"q": HUGE_Q}).get_data(as_text=True)
    assert "Mật ong bạc hà Đồng Văn" in html
    assert len(html) < 100_000  # the query is not echoed 10 kB at a time


@pytest.mark.parametrize(
    "url",
    [
        "/products/%00",
        "/products/" + "a" * 5000,
        "/products/%E2%80%AE",
        "/producers/%00",
        "/producers/nope",
        "/certificates/%00",
        "/certificates/" + "x" * 5000,
        "/certificates/%00/qr.svg",
        "/api/v1/products/%00",
        "/api/v1/producers/%00",
    ],
)
def test_odd_paths_are_404(honey, client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("page", "api_status"),
    [("-1", 400), ("abc", 400), ("0", 400), ("99999999999999999999999", 200)],
)
def test_producers_page_numbers(honey, client, page, api_status):
    """The page forgives; the API says what the OpenAPI document does not allow (a page past
    the last one is the last page for both)."""
    assert client.get(f"/producers?page={page}").status_code == 200
    assert client.get(f"/api/v1/producers?page={page}").status_code == api_status


@pytest.mark.parametrize(
    ("args", "field", "value"),
    [
        ({"price_min": "250.000"}, "price_min", 250_000),  # Vietnamese thousands separator
        ({"price_min": " 1000 "}, "price_min", 1000),
        ({"price_min": "500", "price_max": "100"}, "price_min", 100),  # swapped
        ({"stars": "5"}, "stars", 5),
        ({"in_stock": "1"}, "in_stock", True),
        ({"page": "999999999999999999999"}, "page", 100_000),
        ({"q": "  mật   ong  "}, "q", "mật ong"),
    ],
)
def test_parsing_accepts_reasonable_input(app, args, field, value):
    parsed = parse_listing_args(MultiDict(args))
    assert parsed.errors == {}
    assert getattr(parsed.filters, field) == value
