"""Offline fakes of the carriers' APIs, for the tests and demo mode (as the demo page
stands in for Stripe). Each is a Transport that answers the real module's requests in the
carrier's own shapes, so the real parsing code runs; nothing reaches the network.

A booking's code is derived from our reference, so booking the same parcel again gives
the same code, as a real carrier refuses a second order with the same client code.
"""

import hashlib
import json
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qs, urlsplit

from ...core import places
from ..rates import RATE_CARDS
from ..regions import REGION_OF, Route, route_between
from .base import HttpRequest, HttpResponse, minimal_pdf


def _json(payload, status: int = 200) -> HttpResponse:
    return HttpResponse(status, json.dumps(payload).encode("utf-8"), "application/json")


def _pdf(code: str) -> HttpResponse:
    return HttpResponse(200, minimal_pdf(["OCOP demo label", code]), "application/pdf")


def _digest(reference: str, length: int) -> str:
    return hashlib.sha256(reference.encode("utf-8")).hexdigest()[:length]


def _province_code(name: str) -> int | None:
    return next((code for code, label in places.provinces() if label == name), None)


def _grams(kilograms) -> Decimal | None:
    """GHTK's orders weigh in kilograms (a JSON number); the rate card in grams."""
    try:
        return Decimal(str(kilograms)) * 1000
    except InvalidOperation:
        return None


def _fee(carrier: str, from_name: str, to_name: str, weight) -> int:
    """The rate card's fee for the provinces named (the fake prices as the card does)."""
    origin, destination = _province_code(from_name), _province_code(to_name)
    try:
        # Decimal, not float: 1.005 kg must price as 1,005 g, not 1,004.
        grams = max(int(Decimal(str(weight))), 1)
    except (InvalidOperation, OverflowError, TypeError, ValueError):
        grams = 500
    if origin not in REGION_OF or destination not in REGION_OF:
        # A province the fake cannot place is priced as the farthest route.
        return RATE_CARDS[carrier].fee(Route.OTHER_REGION, grams)
    return RATE_CARDS[carrier].fee(route_between(origin, destination), grams)


def _body(request: HttpRequest) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class FakeGHN:
    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = urlsplit(request.url).path
        if path.endswith("/a5/public-api/printA5"):  # public: the token in the URL is the key
            token = parse_qs(urlsplit(request.url).query).get("token", [""])[0]
            return _pdf(token.removeprefix("tok-"))
        if not request.headers.get("Token"):
            return _json({"code": 401, "message": "Token is required"}, 401)
        body = _body(request)
        if path.endswith("/v2/shipping-order/fee"):
            total = _fee(
                "ghn",
                body.get("from_province_name"),
                body.get("to_province_name"),
                body.get("weight"),
            )
            return _json({"code": 200, "message": "Success", "data": {"total": total}})
        if path.endswith("/v2/shipping-order/create"):
            reference = str(body.get("client_order_code", ""))
            total = _fee(
                "ghn",
                body.get("from_province_name"),
                body.get("to_province_name"),
                body.get("weight"),
            )
            code = "GHN" + _digest(reference, 8).upper()
            return _json(
                {
                    "code": 200,
                    "message": "Success",
                    "data": {"order_code": code, "total_fee": total},
                }
            )
        if path.endswith("/v2/a5/gen-token"):
            codes = body.get("order_codes") or [""]
            return _json({"code": 200, "message": "Success", "data": {"token": f"tok-{codes[0]}"}})
        if path.endswith("/v2/switch-status/cancel"):
            return _json({"code": 200, "message": "Success", "data": []})
        return _json({"code": 404, "message": "not found"}, 404)


class FakeGHTK:
    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.headers.get("Token"):
            return _json({"success": False, "message": "Token không hợp lệ"}, 401)
        parts = urlsplit(request.url)
        path = parts.path
        if path.endswith("/services/shipment/fee"):
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            fee = _fee(
                "ghtk", query.get("pick_province"), query.get("province"), query.get("weight")
            )
            return _json(
                {
                    "success": True,
                    "message": "",
                    "fee": {"name": "area", "fee": fee, "delivery": True},
                }
            )
        if path.endswith("/services/shipment/order"):
            order = _body(request).get("order") or {}
            kilograms = order.get("total_weight") or "0.5"
            fee = _fee("ghtk", order.get("pick_province"), order.get("province"), _grams(kilograms))
            label = "S1.A1." + str(int(_digest(str(order.get("id", "")), 8), 16))
            return _json(
                {
                    "success": True,
                    "message": "Các đơn hàng đã được add vào hệ thống GHTK thành công.",
                    "order": {"partner_id": order.get("id"), "label": label, "fee": fee},
                }
            )
        if "/services/label/" in path:
            return _pdf(path.rsplit("/", 1)[-1])
        if "/services/shipment/cancel/" in path:
            return _json({"success": True, "message": ""})
        return _json({"success": False, "message": "not found"}, 404)


class FakeViettelPost:
    def __call__(self, request: HttpRequest) -> HttpResponse:
        parts = urlsplit(request.url)
        path = parts.path
        body = _body(request)
        if path.endswith("/user/Login"):
            if not body.get("USERNAME") or not body.get("PASSWORD"):
                return _json({"status": 204, "error": True, "message": "Sai tài khoản"})
            return _json(
                {"status": 200, "error": False, "message": "OK", "data": {"token": "vtp-demo"}}
            )
        if path.endswith("/DigitalizePrint/report.do"):
            bill = parse_qs(parts.query).get("bill", [""])[0]
            return _pdf(bill.removeprefix("print-"))
        if request.headers.get("Token") != "vtp-demo":
            return _json({"status": 401, "error": True, "message": "Token invalid"})
        if path.endswith("/order/getPrice"):
            return _json(
                {
                    "status": 200,
                    "error": False,
                    "message": "OK",
                    "data": {"MONEY_TOTAL": 30_000, "KPI_HT": 48},
                }
            )
        if path.endswith("/order/createOrder"):
            number = str(int(_digest(str(body.get("ORDER_NUMBER", "")), 10), 16))[:12]
            return _json(
                {
                    "status": 200,
                    "error": False,
                    "message": "OK",
                    "data": {"ORDER_NUMBER": number, "MONEY_TOTAL": 30_000, "KPI_HT": 48},
                }
            )
        if path.endswith("/order/printing-code"):
            codes = body.get("ORDER_ARRAY") or [""]
            return _json({"status": 200, "error": False, "message": f"print-{codes[0]}"})
        if path.endswith("/order/UpdateOrder"):
            return _json({"status": 200, "error": False, "message": "OK"})
        return _json({"status": 404, "error": True, "message": "not found"}, 404)


FAKES = {"ghn": FakeGHN, "ghtk": FakeGHTK, "viettelpost": FakeViettelPost}
