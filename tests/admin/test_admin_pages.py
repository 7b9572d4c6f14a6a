"""Every admin page renders for an admin, with data, in both languages."""

import pytest

from storefront.extensions import db
from storefront.models import AuditEvent


def _pages(world):
    producer, order = world["producer"], world["cod"]
    return [
        "/admin/",
        "/admin/?days=7",
        "/admin/audit",
        "/admin/producers",
        "/admin/producers?status=pending",
        f"/admin/producers?q={producer.name}",
        f"/admin/producers/{producer.id}",
        f"/admin/producers/{producer.id}/edit",
        "/admin/certificates",
        "/admin/certificates?tab=expiring",
        "/admin/certificates?tab=expired",
        f"/admin/certificates/{world['pending'].id}",
        f"/admin/certificates/{world['expired'].id}",
        "/admin/featured",
        "/admin/featured?group=food&q=mat",
        "/admin/orders",
        "/admin/orders?q=nothing-matches",
        f"/admin/orders/{order.id}",
        f"/admin/orders/{world['transfer'].id}",
        "/admin/payouts",
        f"/admin/payouts/{producer.id}",
        f"/admin/payouts/{producer.id}/statement",
        f"/admin/payouts/{producer.id}/statement?start=2026-01-01&end=2026-12-31",
        "/admin/users",
        "/admin/users?q=khach&role=customer",
        f"/admin/users/{world['customer'].id}",
    ]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_admin_page_renders(admin_client, world, lang):
    admin_client.set_cookie("lang", lang)
    for url in _pages(world):
        response = admin_client.get(url)
        assert response.status_code == 200, (url, response.data[:500])
        assert b"table-wrap" in response.data or b"<form" in response.data, url


def test_pages_use_no_inline_styles_or_scripts(admin_client, world):
    for url in _pages(world):
        html = admin_client.get(url).get_data(as_text=True)
        assert "style=" not in html, url
        assert "<script>" not in html and "onclick" not in html, url
        assert 'src="/static/js/admin.js"' in html, url


def test_tables_are_wrapped_for_phones(admin_client, world):
    for url in _pages(world):
        html = admin_client.get(url).get_data(as_text=True)
        assert html.count("<table") <= html.count('class="table-wrap"'), url


def test_vietnamese_is_the_default(admin_client, world):
    html = admin_client.get("/admin/").get_data(as_text=True)
    assert "Tổng quan" in html


def test_reading_pages_writes_no_audit_rows(admin_client, world):
    for url in _pages(world):
        admin_client.get(url)
    assert db.session.query(AuditEvent).count() == 0
