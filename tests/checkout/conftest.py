"""Fixtures of the checkout tests: a localstripe server and an in-process fake of Stripe."""

import json
import socket
import subprocess
import sys
import time
import urllib.parse

import pytest
import stripe

LOCALSTRIPE = """
import sys
from aiohttp import web
from localstripe import resources, server
# No shared pickle in /tmp: every run starts empty and leaves nothing behind.
resources.Store.dump_to_disk = lambda self: None
web.run_app(server.app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe_url():
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", LOCALSTRIPE, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("localstripe did not start")
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


class FakeStripeHTTP(stripe.HTTPClient):
    """Answers Checkout Session calls in process and records what the real client sent."""

    name = "fake"

    def __init__(self):
        super().__init__()
        self.requests: list[dict] = []
        self.sessions: dict[str, dict] = {}
        self.by_key: dict[str, dict] = {}
        self.fail_next = False

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parsed = urllib.parse.urlsplit(url)
        if isinstance(post_data, bytes):
            post_data = post_data.decode()
        form = urllib.parse.parse_qs(post_data or "")
        record = {
            "method": method.upper(),
            "path": parsed.path,
            "headers": dict(headers or {}),
            "form": {k: v[0] for k, v in form.items()},
        }
        self.requests.append(record)
        if self.fail_next:
            self.fail_next = False
            return json.dumps({"error": {"type": "api_error", "message": "boom"}}), 500, {}
        if method.upper() == "POST" and parsed.path == "/v1/checkout/sessions":
            key = record["headers"].get("Idempotency-Key")
            if key in self.by_key:
                return json.dumps(self.by_key[key]), 200, {}
            session_id = f"cs_test_{len(self.sessions) + 1:04d}"
            body = {
                "id": session_id,
                "object": "checkout.session",
                "url": f"https://checkout.stripe.com/c/pay/{session_id}",
                "client_reference_id": record["form"].get("client_reference_id"),
                "currency": "vnd",
                "payment_status": "unpaid",
                "status": "open",
            }
            self.sessions[session_id] = body
            if key:
                self.by_key[key] = body
            return json.dumps(body), 200, {}
        if method.upper() == "GET" and parsed.path.startswith("/v1/checkout/sessions/"):
            session_id = parsed.path.rsplit("/", 1)[-1]
            if session_id in self.sessions:
                return json.dumps(self.sessions[session_id]), 200, {}
        return json.dumps({"error": {"type": "invalid_request_error", "message": "no"}}), 404, {}

    def close(self):
        pass

    def session_requests(self):
        return [r for r in self.requests if r["path"] == "/v1/checkout/sessions"]


@pytest.fixture
def fake_stripe():
    return FakeStripeHTTP()


@pytest.fixture
def card_app(app_factory, fake_stripe):
    """An app with a (fake) Stripe key, its HTTP client replaced by the in-process fake."""
    app = app_factory(
        STRIPE_SECRET_KEY="sk_test_fake",
        STRIPE_HTTP_CLIENT=fake_stripe,
        STRIPE_MAX_NETWORK_RETRIES=0,
        STRIPE_API_BASE="https://api.stripe.test",
    )
    with app.app_context():
        yield app
