import os

import pytest

from config import ConfigError, ProductionConfig
from storefront import create_app


def test_testing_config_is_applied(app):
    assert app.testing
    assert app.config["BABEL_DEFAULT_LOCALE"] == "vi"


@pytest.mark.skipif("DATABASE_URL" in os.environ, reason="DATABASE_URL overrides the default")
def test_development_is_the_default_and_uses_the_instance_sqlite_file(monkeypatch):
    monkeypatch.delenv("STOREFRONT_CONFIG", raising=False)
    app = create_app()
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    assert uri.startswith("sqlite:///") and uri.endswith("instance/storefront.db")
    assert not app.debug


@pytest.mark.parametrize(
    ("environ", "missing"),
    [
        ({}, "SECRET_KEY, DATABASE_URL"),
        ({"SECRET_KEY": "x" * 40}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgresql+psycopg://u@h/db"}, "SECRET_KEY"),
    ],
)
def test_production_refuses_to_start_without_its_secrets(monkeypatch, environ, missing):
    for name in ("SECRET_KEY", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as excinfo:
        create_app("production")
    assert missing in str(excinfo.value)


def test_production_reads_postgres_url_and_hardens_cookies(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * 48)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://shop@127.0.0.1:5432/shop")
    app = create_app("production")
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert app.config["STRIPE_DEMO_MODE_ALLOWED"] is False
    assert not app.debug
    with app.app_context():
        from storefront.extensions import db

        assert db.engine.dialect.driver == "psycopg"


def test_validate_reports_clear_message():
    with pytest.raises(ConfigError, match="Production needs these environment variables"):
        ProductionConfig.validate({})


def test_healthz_answers_when_the_database_is_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_healthz_answers_503_when_the_database_is_not():
    from tests.conftest import make_config

    app = create_app(make_config(SQLALCHEMY_DATABASE_URI="sqlite:////nonexistent-dir/x/y.db"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
