"""Fixtures for the security tests: an app built from ProductionConfig, as deployed."""

import pytest
from flask.testing import FlaskClient

from config import ProductionConfig
from tests.conftest import TEST_DATABASE_URL, building_apps


@pytest.fixture
def production_factory(monkeypatch, tmp_path, db_isolation):
    """Build apps from ProductionConfig; the secrets come from the environment, as in prod."""
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-for-tests-only-0123456789")
    monkeypatch.setenv("DATABASE_URL", TEST_DATABASE_URL)

    def config_for(**overrides):
        options = {
            "RATELIMIT_STORAGE_URI": "memory://",
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "MAIL_OUTBOX_DIR": "",
            "SMTP_HOST": "",
            **overrides,
        }
        return type("ProductionUnderTest", (ProductionConfig,), options)

    with building_apps(config_for, isolation=db_isolation) as build:
        yield build


@pytest.fixture
def production_app(production_factory):
    return production_factory()


class HttpsClient(FlaskClient):
    """Secure cookies are only sent back over https, as a browser would."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("base_url", "https://shop.example")
        # Flask-WTF checks the Referer on https POSTs, as browsers send it.
        headers = dict(kwargs.pop("headers", None) or {})
        headers.setdefault("Referer", "https://shop.example/")
        kwargs["headers"] = headers
        return super().open(*args, **kwargs)


def https_client(app, remote_addr: str = "198.51.100.10") -> HttpsClient:
    client = HttpsClient(app, app.response_class, use_cookies=True)
    client.environ_base["REMOTE_ADDR"] = remote_addr
    return client


def csrf_token(client, path: str = "/login") -> str:
    """The token a browser would find in the page's form."""
    import re

    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, f"no csrf_token field on {path}"
    return match.group(1)
