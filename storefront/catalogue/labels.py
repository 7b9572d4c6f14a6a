"""Display names of the catalogue's enums, shared by pages and the audit log."""

from flask_babel import lazy_gettext as _l

from .models import CertificateStatus, ProductStatus, VariantStatus

PRODUCT_STATUS_LABELS = {
    ProductStatus.DRAFT: _l("Draft (hidden)"),
    ProductStatus.ACTIVE: _l("Live in the shop"),
    ProductStatus.ARCHIVED: _l("Archived"),
}

CERTIFICATE_STATUS_LABELS = {
    CertificateStatus.PENDING: _l("Waiting for review"),
    CertificateStatus.VERIFIED: _l("Verified"),
    CertificateStatus.REJECTED: _l("Rejected"),
}

VARIANT_STATUS_LABELS = {
    VariantStatus.ACTIVE: _l("On sale"),
    VariantStatus.ARCHIVED: _l("Archived"),
}

# What a variant's option is called before its value: “Cỡ M”, “Màu chàm”, “Túi 500 g”.
OPTION_KIND_LABELS = {
    "volume": _l("Volume"),
    "weight": _l("Bag"),
    "size": _l("Size"),
    "colour": _l("Colour"),
    "pattern": _l("Pattern"),
}


def variant_label(options) -> str:
    """A variant's options as words: “Cỡ M”, “Màu chàm, Hoa văn trám”; "" when it has none."""
    parts = []
    for option in options or ():
        if not isinstance(option, dict):
            continue
        kind = OPTION_KIND_LABELS.get(option.get("kind"))
        value = str(option.get("value") or "").strip()
        if value:
            parts.append(f"{kind} {value}" if kind else value)
    return ", ".join(parts)
