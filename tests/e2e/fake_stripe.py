"""A local stand-in for Stripe, for the card journey with a real Stripe key path:

- an HTTP server on 127.0.0.1 that answers the shop's `stripe.StripeClient` at
  POST /v1/checkout/sessions and GET /v1/checkout/sessions/<id>, recording what it was sent;
- the hosted checkout page itself, at the real https://checkout.stripe.com address: the
  browser is launched with a host-resolver rule that sends that name to a local HTTPS server
  with a throwaway self-signed certificate (accepted only in the card journey's context).
  So the shop's CSP form-action is tested as deployed, and nothing reaches the network.
  (Playwright's request routing cannot be used: it does not see redirects.)
- signed webhooks delivered to the shop like Stripe would, signed offline.
"""

import json
import secrets
import shutil
import ssl
import subprocess
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl

import stripe

CHECKOUT_ORIGIN = "https://checkout.stripe.com"


def _nest(pairs: list[tuple[str, str]]) -> dict:
    """Stripe's form encoding (line_items[0][price_data][unit_amount]=…) back to a dict."""
    root: dict = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return root


def _amount_total(params: dict) -> int:
    total = 0
    for item in (params.get("line_items") or {}).values():
        total += int(item["price_data"]["unit_amount"]) * int(item["quantity"])
    return total


def self_signed_context(folder: Path) -> ssl.SSLContext | None:
    """A certificate for checkout.stripe.com that only our test browser context accepts."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    cert, key = folder / "checkout.pem", folder / "checkout.key"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=checkout.stripe.com",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


class FakeStripe:
    def __init__(self, folder: Path):
        self.sessions: dict[str, dict] = {}
        self.requests: list[dict] = []
        self._by_idempotency_key: dict[str, str] = {}
        self.api = ThreadingHTTPServer(("127.0.0.1", 0), self._api_handler())
        self.api_base = f"http://127.0.0.1:{self.api.server_address[1]}"
        self.hosted = None
        tls = self_signed_context(folder)
        if tls is not None:
            self.hosted = ThreadingHTTPServer(("127.0.0.1", 0), self._hosted_handler())
            self.hosted.socket = tls.wrap_socket(self.hosted.socket, server_side=True)
        self._threads = [
            threading.Thread(target=server.serve_forever, daemon=True)
            for server in (self.api, self.hosted)
            if server is not None
        ]

    @property
    def host_resolver_rule(self) -> str | None:
        if self.hosted is None:
            return None
        return f"MAP checkout.stripe.com 127.0.0.1:{self.hosted.server_address[1]}"

    def start(self) -> "FakeStripe":
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        for server in (self.api, self.hosted):
            if server is not None:
                server.shutdown()
                server.server_close()

    def _create_session(self, params: dict, headers: dict) -> dict:
        key = headers.get("Idempotency-Key")
        if key and key in self._by_idempotency_key:
            return self.sessions[self._by_idempotency_key[key]]
        session_id = "cs_test_" + secrets.token_hex(12)
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": params.get("mode"),
            "status": "open",
            "payment_status": "unpaid",
            "amount_total": _amount_total(params),
            "currency": "vnd",
            "client_reference_id": params.get("client_reference_id"),
            "metadata": params.get("metadata") or {},
            "customer_email": params.get("customer_email"),
            "success_url": params.get("success_url"),
            "cancel_url": params.get("cancel_url"),
            "url": f"{CHECKOUT_ORIGIN}/c/pay/{session_id}",
            "payment_intent": None,
            "livemode": False,
        }
        self.sessions[session_id] = session
        if key:
            self._by_idempotency_key[key] = session_id
        return session

    def _api_handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                params = _nest(parse_qsl(raw, keep_blank_values=True))
                fake.requests.append(
                    {"path": self.path, "params": params, "headers": dict(self.headers)}
                )
                if self.path == "/v1/checkout/sessions":
                    self._send(200, fake._create_session(params, dict(self.headers)))
                else:
                    self._send(404, {"error": {"type": "invalid_request_error"}})

            def do_GET(self):
                prefix = "/v1/checkout/sessions/"
                session = fake.sessions.get(self.path[len(prefix) :].split("?")[0])
                if self.path.startswith(prefix) and session:
                    self._send(200, session)
                else:
                    self._send(404, {"error": {"type": "invalid_request_error"}})

        return Handler

    # ------------------------------------------------------------------ the hosted page

    def hosted_page(self, session_id: str) -> str:
        session = self.sessions[session_id]
        amount = f"{session['amount_total']:,}".replace(",", ".")
        return (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<title>Fake Stripe Checkout</title></head><body>"
            "<main><h1>Fake Stripe Checkout (local test double)</h1>"
            f"<p id='amount'>{amount} ₫</p>"
            f"<p id='reference'>{session['client_reference_id']}</p>"
            "<button id='pay' type='button'>Pay</button></main></body></html>"
        )

    def _hosted_handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                session_id = self.path.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
                if self.path.startswith("/c/pay/") and session_id in fake.sessions:
                    body = fake.hosted_page(session_id).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                else:
                    self.send_response(204 if session_id == "favicon.ico" else 404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()

        return Handler

    # ------------------------------------------------------------------ webhooks

    def complete(self, session_id: str) -> str:
        """The buyer paid: Stripe marks the session paid; returns the webhook event's JSON."""
        session = self.sessions[session_id]
        session.update(
            status="complete",
            payment_status="paid",
            payment_intent="pi_test_" + secrets.token_hex(8),
        )
        event = {
            "id": "evt_test_" + secrets.token_hex(12),
            "object": "event",
            "type": "checkout.session.completed",
            "created": int(time.time()),
            "livemode": False,
            "data": {"object": dict(session)},
        }
        return json.dumps(event)

    @staticmethod
    def deliver(payload: str, shop_url: str, secret: str) -> int:
        """POST the event to the shop's webhook, signed now, as Stripe does."""
        header = stripe.WebhookSignature.generate_signature_header(
            payload, secret, timestamp=int(time.time())
        )
        request = urllib.request.Request(
            shop_url + "/webhooks/stripe",
            data=payload.encode(),
            headers={"Content-Type": "application/json", "Stripe-Signature": header},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=15) as response:  # 127.0.0.1 only
            return response.status
