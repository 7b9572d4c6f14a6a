"""Each carrier's webhook as it sends it, read into our words; a wrong secret is refused."""

import json

import pytest

from storefront.shipping.carriers import ghtk, viettelpost
from storefront.shipping.carriers.base import WebhookRejected

SECRET = "s" * 43


def test_ghtk_status_ids_and_vietnam_time():
    body = json.dumps(
        {
            "label_id": "S1.A1.17373471",
            "partner_id": "OCOP-2026-000001-1",
            "status_id": 5,
            "action_time": "2026-12-03T15:30:00+07:00",
            "reason": "",
        }
    ).encode()
    (update,) = ghtk.parse_webhook(body, {}, SECRET, SECRET)
    assert (update.kind, update.tracking_code) == ("delivered", "S1.A1.17373471")
    assert update.happened_at.hour == 8  # UTC
    with pytest.raises(WebhookRejected):
        ghtk.parse_webhook(body, {}, "wrong", SECRET)


def test_unknown_status_codes_are_unknown_not_guessed():
    body = json.dumps(
        {
            "DATA": {"ORDER_NUMBER": "1", "ORDER_STATUS": 999, "ORDER_STATUSDATE": "x"},
            "TOKEN": SECRET,
        }
    ).encode()
    (update,) = viettelpost.parse_webhook(body, {}, SECRET, SECRET)
    assert update.kind == "unknown"
