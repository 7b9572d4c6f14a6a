"""The JSON API, with every response validated against the served OpenAPI document."""

from datetime import timedelta

import pytest
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS31Validator, validate

from storefront.clock import today_vn
from storefront.extensions import db
from tests.catalogue.factories_catalogue import (
    CertificateFactory,
    ProducerFactory,
    ProductImageFactory,
    make_certified,
    make_product,
)


@pytest.fixture
def doc(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def assert_matches(doc, path, response):
    """Validate a real response against the schema the document declares for it."""
    operation = doc["paths"][path]["get"]
    declared = operation["responses"][str(response.status_code)]
    schema = declared["content"]["application/json"]["schema"]
    validate(
        response.get_json(),
        {**schema, "components": doc["components"]},
        cls=OAS31Validator,
        format_checker=OAS31Validator.FORMAT_CHECKER,
    )


@pytest.fixture
def catalogue(app):
    today = today_vn()
    producer = ProducerFactory(name="HTX Mật ong Đồng Văn", slug="htx-mat-ong")
    honey = make_certified(
        4,
        name="Mật ong bạc hà Đồng Văn",
        slug="mat-ong",
        producer=producer,
        price=350_000,
        season_start_month=10,
        season_end_month=2,
    )
    ProductImageFactory(product=honey, position=0)
    ProductImageFactory(product=honey, position=1)
    lapsed = make_product(name="Mật ong cũ", slug="mat-ong-cu", producer=producer)
    CertificateFactory(
        product=lapsed, signed_on=today - timedelta(days=1200), valid_until=today - timedelta(1)
    )
    make_product(
        name="Vải lanh dệt tay",
        slug="vai-lanh",
        group="handicraft",
        subgroup="textiles",
        made_to_order=True,
        lead_time_days=30,
        stock_on_hand=0,
        producer=ProducerFactory(
            slug="htx-lanh", province_code=None, ward_code=None, historical_address=None
        ),
    )
    db.session.commit()


def test_document_is_openapi_31_and_its_schemas_are_valid(doc):
    assert doc["openapi"].startswith("3.1")
    for schema in doc["components"]["schemas"].values():
        OAS31Validator.check_schema({**schema, "components": doc["components"]})
    params = {p["name"] for p in doc["paths"]["/products"]["get"]["parameters"]}
    assert params == {
        "q",
        "group",
        "stars",
        "producer",
        "province",
        "price_min",
        "price_max",
        "in_stock",
        "sort",
        "page",
        "per_page",
    }


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/products",
        "/api/v1/products?q=mat+ong",
        "/api/v1/products?group=handicraft&in_stock=1",
        "/api/v1/products?stars=4&sort=price_desc&per_page=1&page=1",
        "/api/v1/products?page=99999",
        "/api/v1/products?group=nope",
        "/api/v1/products?price_min=abc&stars=2",
        "/api/v1/products?producer=nobody",
        "/api/v1/products?per_page=1000",
    ],
)
def test_product_list_responses_match_the_document(catalogue, client, doc, url):
    response = client.get(url)
    assert response.status_code in (200, 400, 404)
    assert_matches(doc, "/products", response)


def test_product_list_content(catalogue, client):
    body = client.get("/api/v1/products?sort=price_desc").get_json()
    assert body["total"] == 3 and body["pages"] == 1 and body["page"] == 1
    by_slug = {item["slug"]: item for item in body["items"]}
    honey = by_slug["mat-ong"]
    assert honey["price"] == 350_000 and isinstance(honey["price"], int)
    assert honey["currency"] == "VND"
    assert honey["stars"] == 4
    assert honey["certificate"]["status"] == "valid"
    assert honey["producer"]["slug"] == "htx-mat-ong"
    assert honey["producer"]["province"] == "Tuyên Quang"
    assert honey["producer"]["historical_address"] == "huyện Đồng Văn, tỉnh Hà Giang"
    assert honey["season"] == {"start_month": 10, "end_month": 2}
    assert honey["image"]["url"].startswith("http://127.0.0.1:5000/static/uploads/products/img-")
    lapsed = by_slug["mat-ong-cu"]
    assert lapsed["stars"] is None and lapsed["certificate"]["status"] == "expired"
    assert lapsed["certificate"]["stars"] is None
    linen = by_slug["vai-lanh"]
    assert linen["stars"] is None and linen["certificate"] is None
    assert linen["made_to_order"] is True and linen["in_stock"] is True
    assert linen["lead_time_days"] == 30


def test_bad_arguments_are_400_with_field_messages(catalogue, client):
    response = client.get("/api/v1/products?group=nope&price_min=abc&stars=2")
    assert response.status_code == 400
    fields = response.get_json()["error"]["fields"]
    assert set(fields) == {"group", "price_min", "stars"}
    response = client.get("/api/v1/products?producer=nobody")
    assert response.status_code == 404  # well formed, names no producer
    assert set(response.get_json()["error"]["fields"]) == {"producer"}


def test_product_detail(catalogue, client, doc):
    response = client.get("/api/v1/products/mat-ong")
    assert response.status_code == 200
    assert_matches(doc, "/products/{slug}", response)
    body = response.get_json()
    assert len(body["images"]) == 2
    assert body["certificate"]["verify_url"].endswith(
        "/certificates/" + body["certificate"]["number"]
    )
    missing = client.get("/api/v1/products/khong-co")
    assert missing.status_code == 404
    assert_matches(doc, "/products/{slug}", missing)


def test_producers(catalogue, client, doc):
    response = client.get("/api/v1/producers")
    assert_matches(doc, "/producers", response)
    counts = {p["slug"]: p["product_count"] for p in response.get_json()["items"]}
    assert counts == {"htx-mat-ong": 2, "htx-lanh": 1}
    detail = client.get("/api/v1/producers/htx-mat-ong")
    assert_matches(doc, "/producers/{slug}", detail)
    body = detail.get_json()
    assert {p["slug"] for p in body["products"]} == {"mat-ong", "mat-ong-cu"}
    assert [c["status"] for c in body["certificates"]] == ["valid", "expired"]
    missing = client.get("/api/v1/producers/khong-co")
    assert missing.status_code == 404
    assert_matches(doc, "/producers/{slug}", missing)
    bad = client.get("/api/v1/producers?per_page=0")
    assert bad.status_code == 400
    assert_matches(doc, "/producers", bad)


def test_the_validator_rejects_a_response_that_breaks_the_document(catalogue, client, doc):
    """Guard against a schema so loose that nothing could fail."""

    class Fake:
        status_code = 200

        def __init__(self, body):
            self.body = body

        def get_json(self):
            return self.body

    body = client.get("/api/v1/products").get_json()
    body["items"][0]["price"] = "350.000 ₫"
    with pytest.raises(ValidationError):
        assert_matches(doc, "/products", Fake(body))
    body = client.get("/api/v1/products").get_json()
    body["items"][0]["stars"] = 2
    with pytest.raises(ValidationError):
        assert_matches(doc, "/products", Fake(body))
    body = client.get("/api/v1/products").get_json()
    body["items"][0]["surprise"] = True
    with pytest.raises(ValidationError):
        assert_matches(doc, "/products", Fake(body))


def test_api_hides_non_public_products(app, client):
    from storefront.models import ProducerStatus, ProductStatus

    make_product(slug="nhap", status=ProductStatus.DRAFT)
    make_certified(slug="an", producer=ProducerFactory(status=ProducerStatus.PENDING))
    db.session.commit()
    assert client.get("/api/v1/products").get_json()["total"] == 0
    assert client.get("/api/v1/products/nhap").status_code == 404
    assert client.get("/api/v1/products/an").status_code == 404


def test_suggest_returns_producers_then_products(doc, client, catalogue):
    response = client.get("/api/v1/search/suggest?q=mat")
    assert response.status_code == 200
    assert_matches(doc, "/search/suggest", response)
    items = response.get_json()["items"]
    assert items[0] == {
        "type": "producer",
        "name": "HTX Mật ong Đồng Văn",
        "url": "/producers/htx-mat-ong",
    }
    products = {item["name"] for item in items if item["type"] == "product"}
    assert products == {"Mật ong bạc hà Đồng Văn", "Mật ong cũ"}  # not the linen


def test_suggest_is_bounded_and_speaks_english(doc, client, app):
    producer = ProducerFactory(name="HTX Mật ong", name_en="Honey Cooperative")
    for i in range(12):
        make_product(name=f"Mật ong số {i}", name_en=f"Honey no. {i}", producer=producer)
    db.session.commit()
    client.set_cookie("lang", "en")
    items = client.get("/api/v1/search/suggest?q=mat+o").get_json()["items"]
    assert len(items) == 8
    assert items[0]["name"] == "Honey Cooperative"
    assert all(item["name"].startswith("Honey") for item in items)


@pytest.mark.parametrize("q", ["", "   ", "!!!", "\x00", "x" * 5000, "%_\\"])
def test_suggest_odd_input_is_empty_not_an_error(doc, client, catalogue, q):
    response = client.get("/api/v1/search/suggest", query_string={"q": q})
    assert response.status_code == 200
    assert_matches(doc, "/search/suggest", response)
    if q.strip("!\x00 %_\\") == "":
        assert response.get_json() == {"items": []}
