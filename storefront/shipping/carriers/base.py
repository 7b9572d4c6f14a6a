"""What every carrier does, whoever it is: quote, book, label, cancel, read its webhook.

Each carrier's module is the only code that knows its API (guide rule 6). They all speak
HTTP through a Transport: `UrllibTransport` for the real service (bounded timeouts), or the
carrier's offline fake (carriers/fakes.py) in tests and in demo mode, which answers as the
real API does, so the same parsing code runs either way.
"""

import hmac
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l

from ...errors import DomainError

log = logging.getLogger(__name__)


class CarrierError(DomainError):
    """The carrier refused the request (its message is kept for the cooperative)."""

    default_message = _l("The carrier refused the request.")
    status_code = 502
    title = "Bad Gateway"


class CarrierUnavailable(CarrierError):
    """The carrier did not answer in time, or could not be reached."""

    default_message = _l("The carrier could not be reached. Please try again in a moment.")
    status_code = 504
    title = "Gateway Timeout"


class WebhookRejected(Exception):
    """The webhook is not from the carrier (bad secret or signature): 401, nothing changes."""


@dataclass(frozen=True)
class Place:
    name: str
    phone: str
    street: str
    ward_code: int
    ward_name: str
    province_code: int
    province_name: str

    @property
    def full_address(self) -> str:
        return ", ".join(part for part in (self.street, self.ward_name, self.province_name) if part)


@dataclass(frozen=True)
class Parcel:
    reference: str  # our own id for the parcel: the carrier refuses a second booking of it
    sender: Place
    recipient: Place
    weight_grams: int
    value: int  # the goods' value in đồng (insurance)
    cod_amount: int  # what the carrier collects at the door, 0 if paid
    items: tuple[tuple[str, int], ...] = field(default_factory=tuple)  # (name, quantity)
    note: str = ""


@dataclass(frozen=True)
class LiveQuote:
    fee: int
    eta_days: int | None
    service: str


@dataclass(frozen=True)
class Booking:
    tracking_code: str
    fee: int | None
    service: str


@dataclass(frozen=True)
class Label:
    content: bytes
    content_type: str


@dataclass(frozen=True)
class TrackingUpdate:
    event_id: str
    tracking_code: str
    carrier_status: str
    kind: str  # a ShipmentStatus value, or "unknown"
    happened_at: datetime  # UTC, naive as every datetime in the database
    description: str = ""


@dataclass(frozen=True)
class HttpRequest:
    method: str
    url: str
    headers: dict
    body: bytes | None = None


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: bytes
    content_type: str = "application/json"

    def json(self):
        try:
            return json.loads(self.body or b"null")
        except ValueError as error:
            raise CarrierError(_l("The carrier sent an answer we could not read.")) from error


class UrllibTransport:
    """The real network, with a timeout on every call (a carrier never hangs a request)."""

    def __init__(self, timeout: float):
        self.timeout = timeout

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.url.startswith(("https://", "http://")):
            raise CarrierError(_l("The carrier's address is not configured."))
        outgoing = urllib.request.Request(  # noqa: S310 (http(s) checked above)
            request.url, data=request.body, headers=request.headers, method=request.method
        )
        try:
            # Only http(s) reaches here (checked above).
            with urllib.request.urlopen(outgoing, timeout=self.timeout) as answer:  # noqa: S310  # nosec B310
                return HttpResponse(
                    answer.status, answer.read(), answer.headers.get("Content-Type", "")
                )
        except urllib.error.HTTPError as error:
            return HttpResponse(
                error.code, error.read() or b"", error.headers.get("Content-Type", "")
            )
        except (TimeoutError, urllib.error.URLError, OSError) as error:
            log.warning("carrier unreachable at %s: %s", request.url.split("?")[0], error)
            raise CarrierUnavailable() from error


def json_request(method: str, url: str, headers: dict, payload=None) -> HttpRequest:
    body = None if payload is None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return HttpRequest(
        method, url, {"Content-Type": "application/json", "Accept": "*/*", **headers}, body
    )


def accepted_body(answer: HttpResponse, accepted, refused) -> dict:
    """The carrier's JSON object when `accepted(body)` says it took the call; otherwise a
    CarrierError with the carrier's own words, put into `refused(reason)` (its name and
    "refused", in the buyer's or member's language)."""
    body = answer.json()
    if answer.status == 200 and isinstance(body, dict) and accepted(body):
        return body
    message = body.get("message") if isinstance(body, dict) else None
    raise CarrierError(refused(carrier_message(message, answer.status)))


def carrier_message(value, fallback) -> str:
    """The carrier's own words for a refusal, short and printable."""
    text = value if isinstance(value, str) and value.strip() else str(fallback)
    return "".join(ch for ch in text if ch.isprintable())[:200]


def as_int(value) -> int | None:
    """A whole number of đồng or hours from a carrier's JSON (they send 36300 or 36300.0)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def short(value, length: int = 255) -> str:
    return (
        value[:length] if isinstance(value, str) else ("" if value is None else str(value)[:length])
    )


def minimal_pdf(lines: list[str]) -> bytes:
    """A one-page A6 PDF with a few lines of ASCII text: the fake carriers' and the
    self-delivery label (no PDF library is needed for so little)."""
    safe = [
        "".join(ch if 32 <= ord(ch) < 127 and ch not in "()\\" else "?" for ch in line)
        for line in lines
    ]
    text = "BT /F1 12 Tf 20 380 Td 16 TL " + " ".join(f"({line}) '" for line in safe) + " ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 298 420] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text.encode("ascii")),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def webhook_object(body: bytes, url_secret: str, account_secret: str) -> dict:
    """A tracking webhook's body as one JSON object, once the secret in its URL matched the
    cooperative's account (WebhookRejected otherwise: the caller answers 401)."""
    if not account_secret or not hmac.compare_digest(url_secret or "", account_secret):
        raise WebhookRejected()
    try:
        event = json.loads(body)
    except ValueError as error:
        raise ValueError("not JSON") from error
    if not isinstance(event, dict):
        raise ValueError("not an object")
    return event


def one_update(
    code: str, status: str, when: str, statuses: dict, happened_at: datetime, description: str
) -> list[TrackingUpdate]:
    """The one tracking update a carrier's event carries; the event id is the parcel, its
    status and the carrier's time, so a redelivered event is the same event."""
    if not code or not status:
        raise ValueError("no parcel code or status")
    return [
        TrackingUpdate(
            event_id=f"{code}:{status}:{when}"[:255],
            tracking_code=code,
            carrier_status=status,
            kind=statuses.get(status, "unknown"),
            happened_at=happened_at,
            description=description,
        )
    ]
