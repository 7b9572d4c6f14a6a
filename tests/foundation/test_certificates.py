from datetime import date, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from storefront.catalogue.models import Certificate, CertificateStatus
from storefront.extensions import db
from tests.factories import CertificateFactory, ProductFactory


def test_valid_until_defaults_to_signed_date_plus_36_months():
    assert Certificate.default_valid_until(date(2025, 3, 14)) == date(2028, 3, 14)


def test_validity_is_inclusive_of_valid_until_and_ends_the_day_after(app):
    certificate = CertificateFactory(signed_on=date(2023, 6, 1), valid_until=date(2026, 6, 1))
    assert certificate.is_valid_on(date(2026, 6, 1))
    assert not certificate.is_valid_on(date(2026, 6, 2))
    assert not certificate.is_valid_on(date(2023, 5, 31))
    assert certificate.display_status(date(2026, 6, 2)) == "expired"


@pytest.mark.parametrize("status", [CertificateStatus.PENDING, CertificateStatus.REJECTED])
def test_only_verified_certificates_give_stars(app, status):
    certificate = CertificateFactory(status=status)
    today = certificate.signed_on + timedelta(days=1)
    assert not certificate.is_valid_on(today)
    assert certificate.product.stars_on(today) is None


def test_product_shows_the_best_valid_certificate(app):
    product = ProductFactory()
    CertificateFactory(product=product, stars=3)
    CertificateFactory(product=product, stars=5, status=CertificateStatus.PENDING)
    CertificateFactory(product=product, stars=4)
    db.session.refresh(product)
    assert product.stars_on() == 4


@pytest.mark.parametrize("stars", [1, 2, 6])
def test_stars_outside_3_to_5_are_refused_by_the_database(app, stars):
    with pytest.raises(IntegrityError):
        CertificateFactory(stars=stars)
    db.session.rollback()
