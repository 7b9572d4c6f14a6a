"""Viettel Post: the only module that talks to Viettel Post's partner API.

API: https://partner.viettelpost.vn/v2 (user/Login, order/getPrice, order/createOrder,
order/printing-code, order/UpdateOrder). A call carries the `Token` header that
user/Login returns for the account's username and password; answers are
{"status": 200, "error": false, "message", "data"}. Viettel Post's own webhook scheme:
every callback body carries the secret TOKEN configured for the account, compared in
constant time (the URL's secret must match too).
"""

import hmac
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l

from ...clock import VN_TZ, utcnow
from .base import (
    Booking,
    CarrierError,
    HttpRequest,
    Label,
    LiveQuote,
    Parcel,
    WebhookRejected,
    accepted_body,
    as_int,
    json_request,
    one_update,
    short,
    webhook_object,
)

CODE = "viettelpost"
DEFAULT_BASE = "https://partner.viettelpost.vn/v2"
PRINT_BASE = "https://digitalize.viettelpost.vn"
SERVICE = "VCN"  # "Chuyển phát nhanh": the standard parcel service
CREDENTIAL_FIELDS = ("username", "password")
LABEL_LINK_SECONDS = 3600

STATUSES = {
    "100": "booked",
    "102": "booked",
    "103": "booked",
    "104": "booked",
    "105": "picked_up",
    "200": "in_transit",
    "202": "in_transit",
    "300": "in_transit",
    "320": "in_transit",
    "400": "in_transit",
    "500": "in_transit",
    "506": "in_transit",
    "501": "delivered",
    "502": "failed",
    "505": "failed",
    "507": "failed",
    "515": "failed",
    "503": "returned",
    "504": "returned",
    "107": "cancelled",
    "201": "cancelled",
}


class Client:
    code = CODE

    def __init__(
        self,
        credentials: dict,
        transport,
        base_url: str = DEFAULT_BASE,
        print_base: str = PRINT_BASE,
    ):
        self.username = str(credentials.get("username", ""))
        self.password = str(credentials.get("password", ""))
        self.transport = transport
        self.base_url = base_url.rstrip("/")
        self.print_base = print_base.rstrip("/")
        self._token: str | None = None

    def _checked(self, answer):
        return accepted_body(
            answer,
            lambda body: body.get("status") == 200 and body.get("error") is False,
            lambda reason: _l("Viettel Post refused: %(reason)s", reason=reason),
        )

    def _login(self) -> str:
        if self._token is None:
            body = self._checked(
                self.transport(
                    json_request(
                        "POST",
                        f"{self.base_url}/user/Login",
                        {},
                        {"USERNAME": self.username, "PASSWORD": self.password},
                    )
                )
            )
            data = body.get("data") if isinstance(body.get("data"), dict) else {}
            self._token = short(data.get("token"), 2000)
            if not self._token:
                raise CarrierError(_l("Viettel Post did not accept the account."))
        return self._token

    def _call(self, path: str, payload: dict):
        token = self._login()
        return self._checked(
            self.transport(json_request("POST", self.base_url + path, {"Token": token}, payload))
        )

    def _price_fields(self, parcel: Parcel) -> dict:
        return {
            "PRODUCT_WEIGHT": parcel.weight_grams,
            "PRODUCT_PRICE": parcel.value,
            "MONEY_COLLECTION": parcel.cod_amount,
            "ORDER_SERVICE": SERVICE,
            "PRODUCT_TYPE": "HH",
            "NATIONAL_TYPE": 1,
            "SENDER_ADDRESS": parcel.sender.full_address,
            "RECEIVER_ADDRESS": parcel.recipient.full_address,
        }

    def quote(self, parcel: Parcel) -> LiveQuote:
        data = self._call("/order/getPrice", self._price_fields(parcel)).get("data")
        fee = as_int(data.get("MONEY_TOTAL")) if isinstance(data, dict) else None
        if fee is None:
            raise CarrierError(_l("Viettel Post sent no fee."))
        hours = as_int(data.get("KPI_HT"))
        return LiveQuote(
            fee=fee, eta_days=max(1, -(-hours // 24)) if hours else None, service=SERVICE
        )

    def create_shipment(self, parcel: Parcel) -> Booking:
        payload = {
            **self._price_fields(parcel),
            "ORDER_NUMBER": parcel.reference,
            "SENDER_FULLNAME": parcel.sender.name,
            "SENDER_PHONE": parcel.sender.phone,
            "RECEIVER_FULLNAME": parcel.recipient.name,
            "RECEIVER_PHONE": parcel.recipient.phone,
            "PRODUCT_NAME": "; ".join(name for name, _ in parcel.items)[:200],
            "PRODUCT_QUANTITY": sum(qty for _, qty in parcel.items) or 1,
            "ORDER_PAYMENT": 3 if parcel.cod_amount else 1,  # 3: collect the goods' price only
            "ORDER_NOTE": parcel.note[:200],
            "LIST_ITEM": [
                {"PRODUCT_NAME": name[:200], "PRODUCT_QUANTITY": qty} for name, qty in parcel.items
            ],
        }
        data = self._call("/order/createOrder", payload).get("data")
        code = short(data.get("ORDER_NUMBER"), 60) if isinstance(data, dict) else ""
        if not code:
            raise CarrierError(_l("Viettel Post sent no bill number."))
        return Booking(tracking_code=code, fee=as_int(data.get("MONEY_TOTAL")), service=SERVICE)

    def label_pdf(self, tracking_code: str) -> Label:
        expiry = int((utcnow().replace(tzinfo=UTC).timestamp() + LABEL_LINK_SECONDS) * 1000)
        body = self._call(
            "/order/printing-code", {"EXPIRY_TIME": expiry, "ORDER_ARRAY": [tracking_code]}
        )
        token = short(body.get("message"), 2000)
        answer = self.transport(
            HttpRequest(
                "GET",
                f"{self.print_base}/DigitalizePrint/report.do?type=1&bill={token}&showPostage=1",
                {},
            )
        )
        if answer.status != 200 or not answer.body.startswith(b"%PDF"):
            raise CarrierError(_l("Viettel Post sent no label."))
        return Label(answer.body, "application/pdf")

    def cancel(self, tracking_code: str) -> None:
        self._call(
            "/order/UpdateOrder",
            {"TYPE": 4, "ORDER_NUMBER": tracking_code, "NOTE": "Huỷ đơn"},
        )


def parse_webhook(body: bytes, headers, url_secret: str, account_secret: str):
    """The URL's secret must match, and Viettel Post's own TOKEN field as well."""
    event = webhook_object(body, url_secret, account_secret)
    token = event.get("TOKEN")
    if not isinstance(token, str) or not hmac.compare_digest(token, account_secret):
        raise WebhookRejected()
    data = event.get("DATA")
    if not isinstance(data, dict):
        raise ValueError("no DATA")
    when = short(data.get("ORDER_STATUSDATE"), 40)
    return one_update(
        short(data.get("ORDER_NUMBER"), 60),
        short(data.get("ORDER_STATUS"), 10),
        when,
        STATUSES,
        _parse_time(when),
        short(data.get("STATUS_NAME") or data.get("NOTE")),
    )


def _parse_time(value: str) -> datetime:
    """Viettel Post writes Vietnam time as dd/mm/yyyy HH:MM:SS."""
    try:
        moment = datetime.strptime(value, "%d/%m/%Y %H:%M:%S").replace(tzinfo=VN_TZ)
    except ValueError:
        return utcnow()
    return moment.astimezone(UTC).replace(tzinfo=None)
