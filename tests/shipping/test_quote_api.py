"""GET /api/v1/shipping/quote: options for a good request, a JSON problem for a bad one."""

import pytest

from storefront.extensions import db

from .helpers import HCM, HCM_WARD, TQ_WARD, TUYEN_QUANG, cooperative


@pytest.fixture
def coop(app):
    membership, _ = cooperative("ghtk")
    db.session.commit()
    return membership.producer


def _quote(client, **args):
    return client.get("/api/v1/shipping/quote", query_string=args)


def test_quote_lists_the_cooperatives_carriers(client, coop):
    far = _quote(client, producer=coop.slug, province=HCM, ward=HCM_WARD, weight_grams=500)
    near = _quote(client, producer=coop.slug, province=TUYEN_QUANG, ward=TQ_WARD, weight_grams=500)
    assert far.status_code == 200 and near.status_code == 200
    (option,) = far.json["options"]
    assert set(option) == {"carrier", "service", "fee", "eta_days"}
    assert option["carrier"] == "ghtk"
    assert option["fee"] > near.json["options"][0]["fee"]


@pytest.mark.parametrize(
    ("args", "status", "field"),
    [
        ({"province": HCM, "ward": HCM_WARD, "weight_grams": 0}, 400, "weight_grams"),
        ({"province": HCM, "ward": HCM_WARD, "weight_grams": 50_001}, 400, "weight_grams"),
        ({"province": HCM, "ward": HCM_WARD, "weight_grams": "1,5"}, 400, "weight_grams"),
        ({"province": "x", "ward": HCM_WARD, "weight_grams": 500}, 400, "province"),
        ({"province": HCM, "weight_grams": 500}, 400, "ward"),
        ({"province": HCM, "ward": TQ_WARD, "weight_grams": 500}, 404, "ward"),
        ({"province": 99, "ward": 999_999, "weight_grams": 500}, 404, "ward"),
    ],
)
def test_bad_input_is_a_json_problem(client, coop, args, status, field):
    response = _quote(client, producer=coop.slug, **args)
    assert response.status_code == status
    assert field in response.json["error"]["fields"]


def test_unknown_producer_is_404(client, coop):
    response = _quote(client, producer="no-such-htx", province=HCM, ward=HCM_WARD, weight_grams=1)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
