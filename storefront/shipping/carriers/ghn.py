"""Giao Hàng Nhanh (GHN): the only module that talks to GHN's API.

API: https://api.ghn.vn/home/docs/detail (shiip public-api v2). Every call carries the
account's `Token` and `ShopId` headers; answers are {"code": 200, "message", "data"}.
GHN signs no webhook: the tracking URL holds the cooperative's own secret, compared in
constant time. GHN's callback is JSON with OrderCode, Status and Time.
"""

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l

from ...clock import utcnow
from .base import (
    Booking,
    CarrierError,
    HttpRequest,
    Label,
    LiveQuote,
    Parcel,
    accepted_body,
    as_int,
    json_request,
    one_update,
    short,
    webhook_object,
)

CODE = "ghn"
DEFAULT_BASE = "https://online-gateway.ghn.vn/shiip/public-api"
SERVICE_TYPE_STANDARD = 2  # "Hàng nhẹ": parcels under 20 kg
CREDENTIAL_FIELDS = ("token", "shop_id")

# GHN's order statuses, as its callback and order detail name them.
STATUSES = {
    "ready_to_pick": "booked",
    "picking": "booked",
    "money_collect_picking": "booked",
    "picked": "picked_up",
    "storing": "picked_up",
    "transporting": "in_transit",
    "sorting": "in_transit",
    "delivering": "in_transit",
    "money_collect_delivering": "in_transit",
    "delivered": "delivered",
    "delivery_fail": "failed",
    "waiting_to_return": "failed",
    "return": "failed",
    "return_transporting": "failed",
    "return_sorting": "failed",
    "returning": "failed",
    "return_fail": "failed",
    "returned": "returned",
    "cancel": "cancelled",
}


class Client:
    code = CODE

    def __init__(self, credentials: dict, transport, base_url: str = DEFAULT_BASE):
        self.token = str(credentials.get("token", ""))
        self.shop_id = str(credentials.get("shop_id", ""))
        self.transport = transport
        self.base_url = base_url.rstrip("/")
        self.print_base = self.base_url.removesuffix("/shiip/public-api").removesuffix("/shiip")

    def _call(self, path: str, payload: dict):
        answer = self.transport(
            json_request(
                "POST",
                self.base_url + path,
                {"Token": self.token, "ShopId": self.shop_id},
                payload,
            )
        )
        body = accepted_body(
            answer,
            lambda body: body.get("code") == 200,
            lambda reason: _l("GHN refused: %(reason)s", reason=reason),
        )
        return body.get("data")

    def _parcel_fields(self, parcel: Parcel) -> dict:
        return {
            "service_type_id": SERVICE_TYPE_STANDARD,
            "from_name": parcel.sender.name,
            "from_phone": parcel.sender.phone,
            "from_address": parcel.sender.full_address,
            "from_ward_name": parcel.sender.ward_name,
            "from_province_name": parcel.sender.province_name,
            "to_name": parcel.recipient.name,
            "to_phone": parcel.recipient.phone,
            "to_address": parcel.recipient.full_address,
            "to_ward_name": parcel.recipient.ward_name,
            "to_province_name": parcel.recipient.province_name,
            "weight": parcel.weight_grams,
            "insurance_value": parcel.value,
            "cod_amount": parcel.cod_amount,
        }

    def quote(self, parcel: Parcel) -> LiveQuote:
        data = self._call("/v2/shipping-order/fee", self._parcel_fields(parcel))
        fee = as_int(data.get("total")) if isinstance(data, dict) else None
        if fee is None:
            raise CarrierError(_l("GHN sent no fee."))
        return LiveQuote(fee=fee, eta_days=None, service="standard")

    def create_shipment(self, parcel: Parcel) -> Booking:
        payload = {
            **self._parcel_fields(parcel),
            "payment_type_id": 1,  # the shop (cooperative) pays the fee; the buyer paid us
            "required_note": "CHOXEMHANGKHONGTHU",  # the buyer may look, not try
            "client_order_code": parcel.reference,
            "content": "; ".join(f"{name} x{qty}" for name, qty in parcel.items)[:2000],
            "note": parcel.note[:500],
            "items": [{"name": name[:200], "quantity": qty} for name, qty in parcel.items],
        }
        data = self._call("/v2/shipping-order/create", payload)
        code = short(data.get("order_code"), 60) if isinstance(data, dict) else ""
        if not code:
            raise CarrierError(_l("GHN sent no order code."))
        return Booking(tracking_code=code, fee=as_int(data.get("total_fee")), service="standard")

    def label_pdf(self, tracking_code: str) -> Label:
        data = self._call("/v2/a5/gen-token", {"order_codes": [tracking_code]})
        token = short(data.get("token"), 200) if isinstance(data, dict) else ""
        if not token:
            raise CarrierError(_l("GHN sent no label."))
        answer = self.transport(
            # The print page sits beside the API on the same gateway, outside /shiip.
            HttpRequest("GET", f"{self.print_base}/a5/public-api/printA5?token={token}", {})
        )
        if answer.status != 200 or not answer.body:
            raise CarrierError(_l("GHN sent no label."))
        return Label(answer.body, answer.content_type or "application/pdf")

    def cancel(self, tracking_code: str) -> None:
        self._call("/v2/switch-status/cancel", {"order_codes": [tracking_code]})


def parse_webhook(body: bytes, headers, url_secret: str, account_secret: str):
    """GHN has no signature: the secret in the URL must be the cooperative's."""
    event = webhook_object(body, url_secret, account_secret)
    when = short(event.get("Time"), 40)
    return one_update(
        short(event.get("OrderCode"), 60),
        short(event.get("Status"), 60).lower(),
        when,
        STATUSES,
        _parse_time(when),
        short(event.get("Description") or event.get("Reason")),
    )


def _parse_time(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return utcnow()
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment
