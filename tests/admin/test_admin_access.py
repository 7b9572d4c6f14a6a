"""Every admin URL: anonymous users go to the login page, non-admins get 403."""

import re

import pytest

from storefront import create_app
from storefront.auth.models import UserRole
from storefront.extensions import db
from tests.conftest import make_config
from tests.factories import ProducerMemberFactory, UserFactory


def _admin_routes():
    app = create_app(make_config())
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin."):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            # Any id will do: access is refused before anything is loaded.
            url = re.sub(r"<(?:\w+:)?(\w+)>", "1", rule.rule)
            routes.append(pytest.param(method, url, id=f"{rule.endpoint}-{method}"))
    return routes


ADMIN_ROUTES = _admin_routes()


def test_there_are_admin_routes_to_check():
    assert len(ADMIN_ROUTES) >= 25


@pytest.mark.parametrize(("method", "url"), ADMIN_ROUTES)
def test_anonymous_is_sent_to_login(client, method, url):
    response = client.open(url, method=method)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(("method", "url"), ADMIN_ROUTES)
@pytest.mark.parametrize("role", ["customer", "producer"])
def test_non_admin_gets_403(client, auth, method, url, role):
    if role == "producer":
        user = ProducerMemberFactory().user
    else:
        user = UserFactory(role=UserRole.CUSTOMER)
    db.session.commit()
    auth.login_as(user)
    response = client.open(url, method=method, data={"reason": "x", "product_id": "1"})
    assert response.status_code == 403


@pytest.mark.parametrize(("method", "url"), ADMIN_ROUTES)
def test_admin_passes_the_gate(admin_client, method, url):
    """The gate lets admins through (the object may not exist: 404 is fine, 403 is not)."""
    response = admin_client.open(url, method=method)
    assert response.status_code not in (302, 401, 403)
    assert response.status_code < 500


def test_admin_nav_link_only_for_admins(client, auth, admin):
    customer = UserFactory()
    db.session.commit()
    auth.login_as(customer)
    assert b'href="/admin/"' not in client.get("/").data
    auth.login_as(admin)
    assert b'href="/admin/"' in client.get("/").data
