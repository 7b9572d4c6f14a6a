"""Users: search, disable / enable (open sessions end at once), promote to admin."""

from storefront.admin import queries
from storefront.auth.models import UserRole
from storefront.extensions import db
from tests.factories import DEFAULT_PASSWORD, ProducerMemberFactory, UserFactory


def test_disabling_ends_a_real_open_session_at_once(app, admin_client):
    user = UserFactory(email="khach@example.vn")
    db.session.commit()
    buyer = app.test_client()
    login = buyer.post("/login", data={"email": "khach@example.vn", "password": DEFAULT_PASSWORD})
    assert login.status_code == 302
    assert buyer.get("/account").status_code == 200

    response = admin_client.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    assert response.status_code == 303

    # The same cookie, the very next request: logged out.
    response = buyer.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    # And the password no longer opens a session.
    buyer.post("/login", data={"email": "khach@example.vn", "password": DEFAULT_PASSWORD})
    assert buyer.get("/account").status_code == 302


def test_enabling_lets_the_user_log_in_again(app, admin_client):
    user = UserFactory(email="lai@example.vn", is_active_flag=False)
    db.session.commit()
    admin_client.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    db.session.refresh(user)
    assert user.is_active
    other = app.test_client()
    other.post("/login", data={"email": "lai@example.vn", "password": DEFAULT_PASSWORD})
    assert other.get("/account").status_code == 200


def test_an_admin_cannot_disable_themselves(admin_client, admin):
    response = admin_client.post(
        f"/admin/users/{admin.id}/active", data={"active": "0"}, follow_redirects=True
    )
    assert response.status_code == 200
    db.session.refresh(admin)
    assert admin.is_active


def test_bad_active_value_is_refused(admin_client):
    user = UserFactory()
    db.session.commit()
    admin_client.post(f"/admin/users/{user.id}/active", data={"active": "maybe"})
    db.session.refresh(user)
    assert user.is_active


def test_promote_a_customer_to_admin(app, admin_client):
    user = UserFactory(email="moi@example.vn")
    db.session.commit()
    assert admin_client.post(f"/admin/users/{user.id}/promote").status_code == 303
    db.session.refresh(user)
    assert user.role is UserRole.ADMIN
    promoted = app.test_client()
    promoted.post("/login", data={"email": "moi@example.vn", "password": DEFAULT_PASSWORD})
    # A new administrator sets up the second factor before the admin pages open.
    response = promoted.get("/admin/")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/account/2fa")


def test_producer_accounts_are_not_promoted(admin_client):
    member = ProducerMemberFactory()
    db.session.commit()
    admin_client.post(f"/admin/users/{member.user.id}/promote")
    db.session.refresh(member.user)
    assert member.user.role is UserRole.PRODUCER


def test_search_users(app):
    UserFactory(email="lan.nguyen@example.vn", name="Nguyễn Thị Lan", phone="0912000111")
    UserFactory(email="minh@example.vn", name="Trần Minh")
    db.session.commit()
    assert [u.email for u in queries.search_users(db.session, "LAN.N", None, 1).items] == [
        "lan.nguyen@example.vn"
    ]
    assert [u.name for u in queries.search_users(db.session, "minh", None, 1).items] == [
        "Trần Minh"
    ]
    assert len(queries.search_users(db.session, "0912000", None, 1).items) == 1
    assert queries.search_users(db.session, "", UserRole.ADMIN, 1).items == []
