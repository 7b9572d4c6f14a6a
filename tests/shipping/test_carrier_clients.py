"""Each carrier's client over real HTTP against a local server that answers as the
carrier's API does (the offline fakes' recorded shapes): quote, book, label, cancel.
No test reaches the network. Also: a refusal is a CarrierError with the carrier's words,
and a carrier that does not answer in time is CarrierUnavailable."""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from storefront.shipping.carriers import ghn, ghtk, viettelpost
from storefront.shipping.carriers.base import (
    CarrierError,
    CarrierUnavailable,
    HttpRequest,
    Parcel,
    Place,
    UrllibTransport,
)
from storefront.shipping.carriers.fakes import FAKES

SENDER = Place("HTX Mật ong", "0987654321", "Thôn Lũng Cẩm", 721, "Xã Đồng Văn", 8, "Tuyên Quang")
RECIPIENT = Place(
    "Lò Thị Mai", "0912345678", "12 Lê Lợi", 26734, "Phường Sài Gòn", 79, "Thành phố Hồ Chí Minh"
)
PARCEL = Parcel(
    reference="OCOP-2026-000123-7",
    sender=SENDER,
    recipient=RECIPIENT,
    weight_grams=1500,
    value=240_000,
    cod_amount=270_000,
    items=(("Mật ong bạc hà", 2),),
)


class FakeServer:
    """A local HTTP server: each request is handed to the carrier's fake and recorded."""

    def __init__(self, fake):
        self.seen: list[HttpRequest] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                request = HttpRequest(
                    self.command,
                    f"http://127.0.0.1{self.path}",
                    dict(self.headers.items()),
                    self.rfile.read(length) if length else None,
                )
                outer.seen.append(request)
                answer = fake(request)
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            do_GET = do_POST = _handle

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def serve():
    servers = []

    def start(code):
        server = FakeServer(FAKES[code]())
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def _body(request):
    return json.loads(request.body)


def test_ghn_quote_book_label_cancel(serve):
    server = serve("ghn")
    client = ghn.Client(
        {"token": "tok", "shop_id": "885"},
        UrllibTransport(5),
        base_url=server.base + "/shiip/public-api",
    )
    quote = client.quote(PARCEL)
    booking = client.create_shipment(PARCEL)
    label = client.label_pdf(booking.tracking_code)
    client.cancel(booking.tracking_code)
    assert quote.fee > 0 and booking.tracking_code.startswith("GHN")
    assert label.content.startswith(b"%PDF")
    create = next(r for r in server.seen if r.url.endswith("/v2/shipping-order/create"))
    assert create.headers["Token"] == "tok" and create.headers["Shopid"] == "885"
    sent = _body(create)
    assert sent["client_order_code"] == PARCEL.reference
    assert (sent["cod_amount"], sent["weight"]) == (270_000, 1500)
    # Booking the same parcel again gives the same code (the carrier's idempotency).
    assert client.create_shipment(PARCEL).tracking_code == booking.tracking_code


def test_ghtk_quote_book_label_cancel(serve):
    server = serve("ghtk")
    client = ghtk.Client({"token": "tok", "partner_code": "S1"}, UrllibTransport(5), server.base)
    quote = client.quote(PARCEL)
    booking = client.create_shipment(PARCEL)
    label = client.label_pdf(booking.tracking_code)
    client.cancel(booking.tracking_code)
    assert quote.fee > 0 and booking.tracking_code.startswith("S1.A1.")
    assert label.content.startswith(b"%PDF")
    order = _body(next(r for r in server.seen if r.url.endswith("/services/shipment/order")))
    assert order["order"]["id"] == PARCEL.reference and order["order"]["pick_money"] == 270_000
    assert server.seen[0].headers["X-Client-Source"] == "S1"
    assert any("/services/shipment/cancel/" in r.url for r in server.seen)


def test_viettelpost_logs_in_then_books_and_prints(serve):
    server = serve("viettelpost")
    client = viettelpost.Client(
        {"username": "htx", "password": "pw"},
        UrllibTransport(5),
        base_url=server.base + "/v2",
        print_base=server.base,
    )
    quote = client.quote(PARCEL)
    booking = client.create_shipment(PARCEL)
    label = client.label_pdf(booking.tracking_code)
    client.cancel(booking.tracking_code)
    assert quote.fee == 30_000 and quote.eta_days == 2
    assert booking.tracking_code.isdigit()
    assert label.content.startswith(b"%PDF")
    logins = [r for r in server.seen if r.url.endswith("/user/Login")]
    assert len(logins) == 1, "one login per client, its token reused"
    create = _body(next(r for r in server.seen if r.url.endswith("/order/createOrder")))
    assert create["ORDER_NUMBER"] == PARCEL.reference and create["MONEY_COLLECTION"] == 270_000


def test_a_refusal_carries_the_carriers_words(serve):
    server = serve("ghtk")
    client = ghtk.Client({"token": ""}, UrllibTransport(5), server.base)
    with pytest.raises(CarrierError) as refused:
        client.create_shipment(PARCEL)
    assert "Token" in str(refused.value.message)


def test_a_carrier_that_does_not_answer_is_unavailable():
    # A listening socket nobody accepts from: the connection opens, no answer ever comes.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    try:
        client = ghn.Client(
            {"token": "t", "shop_id": "1"},
            UrllibTransport(0.3),
            base_url=f"http://127.0.0.1:{silent.getsockname()[1]}",
        )
        with pytest.raises(CarrierUnavailable):
            client.quote(PARCEL)
    finally:
        silent.close()
