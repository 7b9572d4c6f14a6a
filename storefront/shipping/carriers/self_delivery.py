"""Self-delivery: the cooperative takes the parcel itself. No API: booking gives the parcel
our own reference as its code and a printable label; no webhook reaches it (the cooperative
marks the sub-order delivered by hand)."""

from .base import Booking, Label, LiveQuote, Parcel, WebhookRejected, minimal_pdf

CODE = "self"
CREDENTIAL_FIELDS: tuple[str, ...] = ()


class Client:
    code = CODE

    def __init__(self, credentials: dict | None = None, transport=None, **_):
        self.transport = transport

    def quote(self, parcel: Parcel) -> LiveQuote:
        raise NotImplementedError("self-delivery is priced by its rate card")

    def create_shipment(self, parcel: Parcel) -> Booking:
        return Booking(tracking_code=parcel.reference[:60], fee=None, service="own")

    def label_pdf(self, tracking_code: str) -> Label:
        return Label(minimal_pdf(["OCOP", f"Parcel {tracking_code}"]), "application/pdf")

    def cancel(self, tracking_code: str) -> None:
        return None


def parse_webhook(body: bytes, headers, url_secret: str, account_secret: str):
    raise WebhookRejected()
