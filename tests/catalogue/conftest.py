"""Catalogue fixtures: a controllable 'today' and an SQL statement counter."""

import pytest

from tests.conftest import counting_queries


@pytest.fixture
def set_today(monkeypatch):
    """Make the catalogue pages and the API believe it is `day` (Vietnam time)."""

    def set_(day):
        for module in ("storefront.catalogue.routes", "storefront.catalogue.api"):
            monkeypatch.setattr(f"{module}.today_vn", lambda: day)

    return set_


@pytest.fixture
def count_queries():
    return counting_queries
