"""THE featuring rule lives in the service: only active products of approved producers with a
verified, valid certificate of 3 stars or more can be featured."""

from datetime import date, timedelta

import pytest

from storefront.catalogue import certificates, featuring
from storefront.catalogue.queries import home_page
from storefront.errors import InvalidTransition, ValidationFailed
from storefront.extensions import db
from storefront.models import (
    AuditEvent,
    Certificate,
    CertificateStatus,
    ProducerStatus,
    ProductStatus,
)
from storefront.producers import lifecycle
from tests.factories import CertificateFactory, ProducerFactory, ProductFactory

TODAY = date(2026, 6, 15)


def certified(stars=4, valid_until=None, cert_status=CertificateStatus.VERIFIED, **product_kwargs):
    product = ProductFactory(**product_kwargs)
    signed = TODAY - timedelta(days=300)
    CertificateFactory(
        product=product,
        stars=stars,
        signed_on=signed,
        valid_until=valid_until or Certificate.default_valid_until(signed),
        status=cert_status,
    )
    return product


@pytest.mark.parametrize("stars", [3, 4, 5])
def test_verified_valid_certificate_of_3_stars_or_more_can_be_featured(app, admin, stars):
    product = certified(stars=stars)
    featuring.feature_product(db.session, product, admin.id, TODAY)
    assert product.featured is True
    assert product.featured_position == 1


def test_product_without_certificate_is_refused(app, admin):
    product = ProductFactory()
    with pytest.raises(ValidationFailed) as refused:
        featuring.feature_product(db.session, product, admin.id, TODAY)
    assert "3" in str(refused.value.message)
    assert product.featured is False


@pytest.mark.parametrize("status", [CertificateStatus.PENDING, CertificateStatus.REJECTED])
def test_unverified_certificate_is_refused(app, admin, status):
    product = certified(cert_status=status)
    with pytest.raises(ValidationFailed):
        featuring.feature_product(db.session, product, admin.id, TODAY)
    assert product.featured is False


def test_expired_certificate_is_refused(app, admin):
    product = certified(valid_until=TODAY - timedelta(days=1))
    with pytest.raises(ValidationFailed):
        featuring.feature_product(db.session, product, admin.id, TODAY)


def test_certificate_not_yet_signed_is_refused(app, admin):
    product = ProductFactory()
    CertificateFactory(product=product, signed_on=TODAY + timedelta(days=1))
    with pytest.raises(ValidationFailed):
        featuring.feature_product(db.session, product, admin.id, TODAY)


def test_below_three_stars_is_refused_even_if_such_a_row_existed(app, admin):
    """The database forbids stars < 3; the service checks anyway (defence in depth)."""
    product = certified(stars=3)
    product.certificates[0].stars = 2  # in memory only: never flushed
    assert featuring.featuring_problem(product, TODAY) is not None
    db.session.expire_all()


def test_suspended_or_pending_producer_is_refused(app, admin):
    for status in (ProducerStatus.SUSPENDED, ProducerStatus.PENDING):
        product = certified(producer=ProducerFactory(status=status))
        with pytest.raises(ValidationFailed):
            featuring.feature_product(db.session, product, admin.id, TODAY)


@pytest.mark.parametrize("status", [ProductStatus.DRAFT, ProductStatus.ARCHIVED])
def test_inactive_product_is_refused(app, admin, status):
    product = certified(status=status)
    with pytest.raises(ValidationFailed):
        featuring.feature_product(db.session, product, admin.id, TODAY)


def test_featuring_boundary_is_the_last_valid_day(app, admin):
    product = certified(valid_until=TODAY)
    assert featuring.featuring_problem(product, TODAY) is None
    assert featuring.featuring_problem(product, TODAY + timedelta(days=1)) is not None


def test_featuring_twice_is_refused(app, admin):
    product = certified()
    featuring.feature_product(db.session, product, admin.id, TODAY)
    with pytest.raises(InvalidTransition):
        featuring.feature_product(db.session, product, admin.id, TODAY)


def test_positions_are_per_group_and_moves_reorder(app, admin):
    a, b, c = (certified(group="food", name=f"Mật ong {i}") for i in range(3))
    tea = certified(group="beverage")
    for product in (a, b, c, tea):
        featuring.feature_product(db.session, product, admin.id, TODAY)
    assert [a.featured_position, b.featured_position, c.featured_position] == [1, 2, 3]
    assert tea.featured_position == 1

    featuring.move_featured(db.session, c, "up", admin.id)
    assert [a.featured_position, c.featured_position, b.featured_position] == [1, 2, 3]
    featuring.move_featured(db.session, a, "down", admin.id)
    assert [c.featured_position, a.featured_position, b.featured_position] == [1, 2, 3]
    assert tea.featured_position == 1
    with pytest.raises(InvalidTransition):
        featuring.move_featured(db.session, c, "up", admin.id)
    with pytest.raises(ValidationFailed):
        featuring.move_featured(db.session, a, "sideways", admin.id)


def test_lapsed_products_are_hidden_at_display_then_swept(app, admin, monkeypatch):
    product = certified(valid_until=TODAY)
    featuring.feature_product(db.session, product, admin.id, TODAY)
    db.session.commit()
    assert [p.id for p in home_page(TODAY).featured] == [product.id]
    # The day after the last valid day: hidden at once, even before any sweep.
    tomorrow = TODAY + timedelta(days=1)
    assert home_page(tomorrow).featured == []

    lapsed = featuring.unfeature_lapsed(db.session, tomorrow)
    db.session.commit()
    assert lapsed == [product]
    assert product.featured is False and product.featured_position is None
    event = db.session.query(AuditEvent).filter_by(action="product.unfeature_lapsed").one()
    assert event.actor_id is None
    assert event.before == {"featured": True, "featured_position": 1}
    # Running it again finds nothing: cron-safe.
    assert featuring.unfeature_lapsed(db.session, tomorrow) == []


def test_suspending_the_producer_unfeatures_its_products(app, admin):
    product = certified()
    featuring.feature_product(db.session, product, admin.id, TODAY)
    lifecycle.set_producer_status(
        db.session, product.producer, ProducerStatus.SUSPENDED, admin.id, "Hàng giả"
    )
    assert product.featured is False


def test_withdrawing_the_certificate_unfeatures_the_product(app, admin):
    product = certified()
    featuring.feature_product(db.session, product, admin.id, TODAY)
    certificates.reject_certificate(
        db.session, product.certificates[0], admin.id, "Quyết định bị thu hồi", TODAY
    )
    assert product.featured is False


def test_feature_route_shows_the_rule_when_refused(admin_client, app):
    product = ProductFactory()
    db.session.commit()
    admin_client.set_cookie("lang", "en")
    response = admin_client.post(
        "/admin/featured", data={"product_id": product.id}, follow_redirects=True
    )
    assert response.status_code == 200
    assert b"verified, valid OCOP certificate of 3 stars or more" in response.data
    db.session.refresh(product)
    assert product.featured is False


def test_featured_page_lists_candidates_and_flags_hidden(admin_client, app, set_today):
    set_today(TODAY)
    shown = certified(name="Mật ong bạc hà")
    candidate = certified(name="Trà shan tuyết")
    shown.featured, shown.featured_position = True, 1
    lapsed = certified(name="Rượu ngô", valid_until=TODAY - timedelta(days=1))
    lapsed.featured, lapsed.featured_position = True, 2
    not_eligible = ProductFactory(name="Chè không chứng nhận")
    db.session.commit()
    html = admin_client.get("/admin/featured").get_data(as_text=True)
    candidates = html.split('id="candidates-title"')[1]
    assert candidate.name in candidates
    assert not_eligible.name not in html
    assert shown.name not in candidates
    groups = html.split('id="candidates-title"')[0]
    assert lapsed.name in groups and "pill-bad" in groups
