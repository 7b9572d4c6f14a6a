"""Email verification at sign-up, guest orders claimed once verified, change of email."""

from urllib.parse import urlsplit

from sqlalchemy import select

from storefront.auth import tokens
from storefront.auth.models import User
from storefront.extensions import db
from storefront.mail import outbox
from storefront.orders.models import Order
from tests.checkout.factories_checkout import form_data
from tests.factories import DEFAULT_PASSWORD, ProductFactory, UserFactory


def path_of(link: str) -> str:
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def register(client, email, password="mat-khau-dai-du", **extra):
    data = {
        "name": "Lò Thị Mai",
        "email": email,
        "password": password,
        "confirm": password,
        "consent": "y",
        **extra,
    }
    return client.post("/register", data=data)


def guest_order(client, email) -> Order:
    product = ProductFactory(price=120_000)
    db.session.commit()
    client.post("/cart/add", data={"product_id": product.id, "quantity": 1})
    response = client.post("/checkout", data=form_data("cod", email=email))
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return db.session.scalar(select(Order).where(Order.email == email.lower()))


def test_guest_buys_registers_verifies_and_sees_the_order(app, client, last_link):
    """Done when #3."""
    order = guest_order(app.test_client(), "Mai@Example.vn")
    assert order.user_id is None

    assert register(client, "mai@example.vn").status_code == 302
    user = db.session.scalar(select(User).where(User.email == "mai@example.vn"))
    assert user.privacy_consent_at is not None and user.email_verified_at is None
    # Orders work before verification, but the guest order is not claimed yet.
    assert order.number not in client.get("/account/orders").get_data(as_text=True)

    link = last_link("mai@example.vn")
    assert link.startswith(app.config["PUBLIC_BASE_URL"] + "/email/verify/")
    assert client.get(path_of(link)).status_code == 302
    db.session.refresh(order)
    db.session.refresh(user)
    assert user.email_verified_at is not None
    assert order.user_id == user.id
    assert order.number in client.get("/account/orders").get_data(as_text=True)
    # The link again: nothing changes, a clear message.
    client.set_cookie("lang", "en")
    client.get(path_of(link))
    assert "not valid or was already used" in client.get("/account").get_data(as_text=True)


def test_registration_needs_consent(client):
    response = client.post(
        "/register",
        data={
            "name": "A",
            "email": "a@example.vn",
            "password": "mat-khau-dai-du",
            "confirm": "mat-khau-dai-du",
        },
    )
    assert response.status_code == 422
    assert db.session.scalar(select(User)) is None


def test_unverified_account_does_not_claim_guest_orders_at_login(app, client):
    order = guest_order(app.test_client(), "ke@example.vn")
    UserFactory(email="ke@example.vn")  # someone registered this address, never proved it
    db.session.commit()
    client.post("/login", data={"email": "ke@example.vn", "password": DEFAULT_PASSWORD})
    db.session.refresh(order)
    assert order.user_id is None


def test_verified_account_claims_later_guest_orders_at_login(app, client):
    user = UserFactory(email="sau@example.vn")
    from storefront.clock import utcnow

    user.email_verified_at = utcnow()
    db.session.commit()
    order = guest_order(app.test_client(), "sau@example.vn")
    client.post("/login", data={"email": "sau@example.vn", "password": DEFAULT_PASSWORD})
    db.session.refresh(order)
    assert order.user_id == user.id


def test_orders_of_another_owner_are_never_moved(app, client, last_link):
    owner = UserFactory(email="chu@example.vn")
    db.session.commit()
    order = guest_order(app.test_client(), "chung@example.vn")
    order.user_id = owner.id
    db.session.commit()
    register(client, "chung@example.vn")
    client.get(path_of(last_link("chung@example.vn")))
    db.session.refresh(order)
    assert order.user_id == owner.id


def test_change_email_verifies_the_new_address_first(app, client, auth, last_link):
    user = UserFactory(email="cu@example.vn")
    db.session.commit()
    auth.login_as(user)
    wrong = client.post(
        "/account/email", data={"new_email": "moi@example.vn", "password": "sai-mat-khau"}
    )
    assert wrong.status_code == 422 and outbox() == []
    response = client.post(
        "/account/email", data={"new_email": "Moi@Example.vn", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 303
    db.session.refresh(user)
    assert user.email == "cu@example.vn"  # not until the link is opened
    link = last_link("moi@example.vn")
    assert link.startswith(app.config["PUBLIC_BASE_URL"] + "/email/change/")
    client.get(path_of(link))
    db.session.refresh(user)
    assert user.email == "moi@example.vn" and user.email_verified_at is not None
    # The old address is told.
    assert outbox()[-1]["To"] == "cu@example.vn"
    # Used once: a second use changes nothing.
    user.email = "lai@example.vn"
    db.session.commit()
    client.get(path_of(link))
    db.session.refresh(user)
    assert user.email == "lai@example.vn"


def test_change_email_to_a_taken_address_is_refused(client, auth):
    user = UserFactory(email="mot@example.vn")
    UserFactory(email="hai@example.vn")
    db.session.commit()
    auth.login_as(user)
    client.set_cookie("lang", "en")
    response = client.post(
        "/account/email", data={"new_email": "HAI@example.vn", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 422
    assert "Another account already uses" in response.get_data(as_text=True)
    assert outbox() == []


def test_change_link_for_an_address_taken_meanwhile_is_refused(client, auth):
    user = UserFactory(email="ba@example.vn")
    db.session.commit()
    token = tokens.make(
        tokens.PURPOSE_CHANGE,
        {"uid": user.id, "fp": tokens.email_fingerprint(user), "new": "bon@example.vn"},
    )
    UserFactory(email="bon@example.vn")
    db.session.commit()
    client.get(f"/email/change/{token}")
    db.session.refresh(user)
    assert user.email == "ba@example.vn"


def test_resend_verification(client, auth):
    user = UserFactory(email="gui@example.vn")
    db.session.commit()
    auth.login_as(user)
    assert client.post("/account/email/resend").status_code == 303
    assert [m["To"] for m in outbox()] == ["gui@example.vn"]
