"""Giao Hàng Tiết Kiệm (GHTK): the only module that talks to GHTK's API.

API: https://docs.giaohangtietkiem.vn (services/shipment). Every call carries the
account's `Token` header (and `X-Client-Source`, the partner code, when the account has
one); answers are {"success": true|false, "message", ...}. GHTK's status callback carries
no signature: the tracking URL holds the cooperative's secret, compared in constant time.
"""

from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from flask_babel import lazy_gettext as _l

from ...clock import VN_TZ, utcnow
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

CODE = "ghtk"
DEFAULT_BASE = "https://services.giaohangtietkiem.vn"
CREDENTIAL_FIELDS = ("token", "partner_code")

# GHTK's status_id values (its "Trạng thái đơn hàng" table).
STATUSES = {
    "-1": "cancelled",
    "1": "booked",
    "2": "booked",
    "12": "booked",
    "3": "picked_up",
    "4": "in_transit",
    "10": "in_transit",
    "45": "in_transit",
    "5": "delivered",
    "6": "delivered",
    "7": "failed",
    "8": "failed",
    "9": "failed",
    "20": "failed",
    "21": "returned",
    "11": "returned",
}


class Client:
    code = CODE

    def __init__(self, credentials: dict, transport, base_url: str = DEFAULT_BASE):
        self.token = str(credentials.get("token", ""))
        self.partner_code = str(credentials.get("partner_code", ""))
        self.transport = transport
        self.base_url = base_url.rstrip("/")

    def _headers(self) -> dict:
        headers = {"Token": self.token}
        if self.partner_code:
            headers["X-Client-Source"] = self.partner_code
        return headers

    def _checked(self, answer) -> dict:
        return accepted_body(
            answer,
            lambda body: body.get("success") is True,
            lambda reason: _l("GHTK refused: %(reason)s", reason=reason),
        )

    def quote(self, parcel: Parcel) -> LiveQuote:
        query = urlencode(
            {
                "pick_province": parcel.sender.province_name,
                "pick_ward": parcel.sender.ward_name,
                "province": parcel.recipient.province_name,
                "ward": parcel.recipient.ward_name,
                "address": parcel.recipient.street,
                "weight": parcel.weight_grams,
                "value": parcel.value,
                "deliver_option": "none",
            }
        )
        body = self._checked(
            self.transport(
                HttpRequest(
                    "GET", f"{self.base_url}/services/shipment/fee?{query}", self._headers()
                )
            )
        )
        fee_block = body.get("fee") if isinstance(body.get("fee"), dict) else {}
        fee = as_int(fee_block.get("fee"))
        if fee is None or fee_block.get("delivery") is False:
            raise CarrierError(_l("GHTK does not deliver to this address."))
        return LiveQuote(fee=fee, eta_days=None, service="road")

    def create_shipment(self, parcel: Parcel) -> Booking:
        payload = {
            "products": [
                {"name": name[:200], "quantity": qty, "weight": 0} for name, qty in parcel.items
            ],
            "order": {
                "id": parcel.reference,
                "pick_name": parcel.sender.name,
                "pick_tel": parcel.sender.phone,
                "pick_address": parcel.sender.street,
                "pick_ward": parcel.sender.ward_name,
                "pick_province": parcel.sender.province_name,
                "name": parcel.recipient.name,
                "tel": parcel.recipient.phone,
                "address": parcel.recipient.street,
                "ward": parcel.recipient.ward_name,
                "province": parcel.recipient.province_name,
                "hamlet": "Khác",
                "pick_money": parcel.cod_amount,
                "is_freeship": 1,  # the cooperative pays the carrier; the buyer paid us
                "value": parcel.value,
                "total_weight": parcel.weight_grams / 1000,
                "weight_option": "kilogram",
                "note": parcel.note[:120],
                "transport": "road",
            },
        }
        body = self._checked(
            self.transport(
                json_request(
                    "POST", f"{self.base_url}/services/shipment/order", self._headers(), payload
                )
            )
        )
        order = body.get("order") if isinstance(body.get("order"), dict) else {}
        label = short(order.get("label"), 60)
        if not label:
            raise CarrierError(_l("GHTK sent no label code."))
        return Booking(tracking_code=label, fee=as_int(order.get("fee")), service="road")

    def label_pdf(self, tracking_code: str) -> Label:
        answer = self.transport(
            HttpRequest(
                "GET",
                f"{self.base_url}/services/label/{quote(tracking_code, safe='')}"
                "?original=portrait&page_size=A6",
                self._headers(),
            )
        )
        if answer.status != 200 or not answer.body.startswith(b"%PDF"):
            raise CarrierError(_l("GHTK sent no label."))
        return Label(answer.body, "application/pdf")

    def cancel(self, tracking_code: str) -> None:
        self._checked(
            self.transport(
                HttpRequest(
                    "POST",
                    f"{self.base_url}/services/shipment/cancel/{quote(tracking_code, safe='')}",
                    self._headers(),
                )
            )
        )


def parse_webhook(body: bytes, headers, url_secret: str, account_secret: str):
    """GHTK posts label_id, status_id and action_time; the URL's secret must match."""
    event = webhook_object(body, url_secret, account_secret)
    when = short(event.get("action_time"), 40)
    return one_update(
        short(event.get("label_id"), 60),
        short(event.get("status_id"), 10),
        when,
        STATUSES,
        _parse_time(when),
        short(event.get("reason")),
    )


def _parse_time(value: str) -> datetime:
    """GHTK sends Vietnam time, with or without an offset."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return utcnow()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VN_TZ)
    return moment.astimezone(UTC).replace(tzinfo=None)
