"""Display names of the catalogue's enums, shared by pages and the audit log."""

from flask_babel import lazy_gettext as _l

from .models import CertificateStatus, ProductStatus

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
