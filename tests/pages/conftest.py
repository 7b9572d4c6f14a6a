import pytest

from storefront.extensions import db
from tests.factories import AdminFactory


@pytest.fixture
def admin(app):
    user = AdminFactory(email="admin@example.vn", name="Quản trị viên")
    db.session.commit()
    return user


@pytest.fixture
def admin_client(client, auth, admin):
    auth.login_as(admin)
    return client
