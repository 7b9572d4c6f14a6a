"""Security headers on every kind of response: pages, errors, JSON and static files."""

import pytest

from .conftest import https_client


def parse_csp(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        tokens = part.split()
        if tokens:
            directives[tokens[0].lower()] = tokens[1:]
    return directives


PATHS = ["/", "/login", "/healthz", "/no-such-page", "/static/css/app.css"]


def headers_of(client, path: str):
    """Only the headers: close the body, which for a static file is an open file until read."""
    response = client.get(path)
    response.close()
    return response.headers


@pytest.mark.parametrize("path", PATHS)
def test_csp_forbids_inline_script_plugins_base_and_framing(client, path):
    csp = parse_csp(headers_of(client, path)["Content-Security-Policy"])

    script_src = csp.get("script-src", csp.get("default-src"))
    assert script_src, "script-src (or default-src) must be set"
    for unsafe in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"):
        assert unsafe not in script_src
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in csp.get("style-src", csp["default-src"])
    assert csp["default-src"] == ["'self'"]


@pytest.mark.parametrize("path", PATHS)
def test_nosniff_referrer_policy_and_framing_headers(client, path):
    headers = headers_of(client, path)
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] in {
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    }
    assert headers["X-Frame-Options"] == "DENY"


def test_no_hsts_outside_production(client):
    # HSTS on a plain-http development server would pin the browser to https.
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_hsts_in_production(production_app):
    response = https_client(production_app).get("/")
    hsts = response.headers["Strict-Transport-Security"]
    max_age = int(hsts.split("max-age=")[1].split(";")[0])
    assert max_age >= 60 * 60 * 24 * 365
    assert "includeSubDomains" in hsts


def test_production_error_pages_carry_the_headers(production_app):
    response = https_client(production_app).get("/no-such-page")
    assert response.status_code == 404
    assert "Strict-Transport-Security" in response.headers
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
