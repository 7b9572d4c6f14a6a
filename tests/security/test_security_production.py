"""Production: no debug pages, no tracebacks, no demo payments; bandit stays clean."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from config import ConfigError, ProductionConfig

from .conftest import https_client

ROOT = Path(__file__).resolve().parents[2]


def test_production_is_never_in_debug_mode(production_app):
    assert production_app.debug is False
    assert not production_app.config.get("DEBUG")
    assert not production_app.config.get("TESTING")
    assert not production_app.config.get("PROPAGATE_EXCEPTIONS")
    assert production_app.config["STRIPE_DEMO_MODE_ALLOWED"] is False


def test_production_refuses_to_start_without_secrets():
    with pytest.raises(ConfigError):
        ProductionConfig.validate({"DATABASE_URL": "postgresql://x"})
    with pytest.raises(ConfigError):
        ProductionConfig.validate({"SECRET_KEY": "s"})


def test_an_unexpected_error_renders_the_500_page_without_a_traceback(production_app):
    def explode():
        secret_detail = "sql-password-in-a-local-variable"  # noqa: F841
        raise RuntimeError("internal detail that must not leak")

    production_app.add_url_rule("/explode-for-test", view_func=explode)
    response = https_client(production_app).get("/explode-for-test")

    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "<html" in page
    for leak in ("Traceback", "RuntimeError", "internal detail", "Werkzeug", "sql-password"):
        assert leak not in page
    assert "Content-Security-Policy" in response.headers


def test_the_werkzeug_debugger_console_is_not_served(production_app):
    response = https_client(production_app).get("/console")
    assert response.status_code == 404
    # The debugger serves its own assets for this query; the shop's home page answers instead.
    debugger = https_client(production_app).get("/?__debugger__=yes&cmd=resource&f=style.css")
    assert debugger.mimetype == "text/html"
    assert "Werkzeug" not in debugger.get_data(as_text=True)


def test_bandit_is_clean_at_medium_severity_and_above():
    bandit = shutil.which("bandit", path=str(Path(sys.executable).parent))
    if bandit is None:
        pytest.skip("bandit is not installed in this environment")
    result = subprocess.run(
        [
            bandit,
            "-q",
            "-c",
            "pyproject.toml",
            "-r",
            "storefront",
            "config.py",
            "--severity-level",
            "medium",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
