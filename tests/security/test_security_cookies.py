"""Cookies in production: __Host- prefixed, Secure, HttpOnly, SameSite=Lax, no Domain."""

from http.cookies import SimpleCookie

from storefront.extensions import db
from tests.factories import DEFAULT_PASSWORD, ProductFactory, UserFactory

from .conftest import csrf_token, https_client


def set_cookies(response) -> dict[str, dict]:
    """Every Set-Cookie header as name -> attributes (lower-case keys, flags as True)."""
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        name_value, *attributes = [part.strip() for part in header.split(";")]
        name = name_value.split("=", 1)[0]
        attrs = {}
        for attribute in attributes:
            key, _, value = attribute.partition("=")
            attrs[key.lower()] = value or True
        cookies[name] = attrs
    return cookies


def assert_hardened(name: str, attrs: dict) -> None:
    assert attrs.get("secure") is True, f"{name} lacks Secure"
    assert attrs.get("httponly") is True, f"{name} lacks HttpOnly"
    assert str(attrs.get("samesite", "")).lower() == "lax", f"{name} is not SameSite=Lax"


def assert_host_prefixed(name: str, attrs: dict) -> None:
    # The browser enforces what the prefix promises only if these hold.
    assert name.startswith("__Host-"), f"{name} has no __Host- prefix"
    assert attrs.get("path") == "/"
    assert "domain" not in attrs


def test_production_session_cookie_is_host_prefixed_and_hardened(production_app):
    with production_app.app_context():
        UserFactory(email="buyer@example.vn")
        db.session.commit()
    client = https_client(production_app)
    response = client.post(
        "/login",
        data={
            "email": "buyer@example.vn",
            "password": DEFAULT_PASSWORD,
            "csrf_token": csrf_token(client, "/login"),
        },
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    cookies = set_cookies(response)
    assert "__Host-session" in cookies, cookies
    for name, attrs in cookies.items():
        assert_hardened(name, attrs)
    assert_host_prefixed("__Host-session", cookies["__Host-session"])
    assert not any("remember" in name for name in cookies), "no long-lived remember-me cookie"


def test_production_language_cookie_is_hardened(production_app):
    client = https_client(production_app)
    token = csrf_token(client, "/")
    response = client.post("/lang", data={"lang": "en", "next": "/", "csrf_token": token})
    assert response.status_code == 303
    for name, attrs in set_cookies(response).items():
        assert_hardened(name, attrs)


def test_production_cart_cookie_is_set_host_prefixed_and_hardened(production_app):
    with production_app.app_context():
        product_id = ProductFactory(name="Mật ong thử cookie", stock_on_hand=10).id
        db.session.commit()
    client = https_client(production_app)
    token = csrf_token(client, "/")
    response = client.post(
        "/cart/add", data={"product_id": product_id, "quantity": "1", "csrf_token": token}
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    cookies = set_cookies(response)
    assert "__Host-cart" in cookies, cookies
    for name, attrs in cookies.items():
        assert_hardened(name, attrs)
    assert_host_prefixed("__Host-cart", cookies["__Host-cart"])
    # The browser sends it back and finds the same cart.
    assert "Mật ong thử cookie" in client.get("/cart").get_data(as_text=True)


def test_production_cookie_settings(production_app):
    assert production_app.config["CART_COOKIE_NAME"].startswith("__Host-")
    assert production_app.config["CART_COOKIE_SECURE"] is True
    assert production_app.config["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert production_app.config["SESSION_COOKIE_SECURE"] is True
    assert production_app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert production_app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_development_cookies_are_httponly_and_lax_but_work_over_http(client):
    cookie = SimpleCookie()
    client.get("/login")
    response = client.post("/lang", data={"lang": "en", "next": "/"})
    for header in response.headers.getlist("Set-Cookie"):
        cookie.load(header)
    for morsel in cookie.values():
        assert morsel["httponly"]
        assert morsel["samesite"].lower() == "lax"
        assert not morsel["secure"]  # a dev server on http://127.0.0.1 must still work
