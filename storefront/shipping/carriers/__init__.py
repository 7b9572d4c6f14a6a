"""The carriers behind one interface (carriers/base.py): `client_for(code, credentials,
config)` builds the carrier's client on the real network, or on its offline fake when the
shop runs without live carriers (CARRIERS_LIVE off: tests, demo, local runs)."""

from flask_babel import lazy_gettext as _l

from . import ghn, ghtk, self_delivery, viettelpost
from .base import UrllibTransport
from .fakes import FAKES

MODULES = {m.CODE: m for m in (ghn, ghtk, viettelpost, self_delivery)}
CODES = tuple(MODULES)

CARRIER_LABELS = {
    "ghn": _l("Giao Hàng Nhanh (GHN)"),
    "ghtk": _l("Giao Hàng Tiết Kiệm (GHTK)"),
    "viettelpost": _l("Viettel Post"),
    "self": _l("Delivered by the cooperative"),
    "standard": _l("Standard delivery"),
}
SERVICE_LABELS = {
    "standard": _l("Standard"),
    "road": _l("Road"),
    "VCN": _l("Express parcel"),
    "own": _l("Own delivery"),
    "flat": _l("Flat fee"),
}
CREDENTIAL_LABELS = {
    "token": _l("API token"),
    "shop_id": _l("Shop ID"),
    "partner_code": _l("Partner code (optional)"),
    "username": _l("Username"),
    "password": _l("Password"),
}
REQUIRED_CREDENTIALS = {"partner_code": False}

BASE_SETTINGS = {
    "ghn": "GHN_API_BASE",
    "ghtk": "GHTK_API_BASE",
    "viettelpost": "VIETTELPOST_API_BASE",
}


def is_live(config) -> bool:
    return bool(config.get("CARRIERS_LIVE"))


def transport_for(code: str, config, timeout: float):
    if not is_live(config):
        return FAKES[code]()
    return UrllibTransport(timeout)


def client_for(code: str, credentials: dict, config, timeout: float | None = None):
    module = MODULES[code]
    if code == self_delivery.CODE:
        return module.Client(credentials)
    timeout = timeout if timeout is not None else config.get("CARRIER_TIMEOUT_SECONDS", 8)
    base = config.get(BASE_SETTINGS[code]) or module.DEFAULT_BASE
    extra = {}
    if code == viettelpost.CODE:
        extra["print_base"] = config.get("VIETTELPOST_PRINT_BASE") or viettelpost.PRINT_BASE
    return module.Client(credentials, transport_for(code, config, timeout), base_url=base, **extra)


def parse_webhook(code: str, body: bytes, headers, url_secret: str, account_secret: str):
    return MODULES[code].parse_webhook(body, headers, url_secret, account_secret)
