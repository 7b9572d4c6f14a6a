"""One brand name, from one setting per language: pages, emails and the manifest say it."""

from storefront.extensions import db
from storefront.mail import outbox
from tests.factories import UserFactory


def test_the_default_names_per_language(client):
    vietnamese = client.get("/").get_data(as_text=True)
    assert "Chợ OCOP" in vietnamese and "OCOP Market" not in vietnamese
    client.set_cookie("lang", "en")
    english = client.get("/").get_data(as_text=True)
    assert "OCOP Market" in english and "Chợ OCOP" not in english.split("<footer")[0]


def test_a_deployment_renames_the_shop_with_two_settings(app_factory):
    app = app_factory(SHOP_NAME="Chợ Quê Đồng Văn", SHOP_NAME_EN="Dong Van Market")
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    assert "Chợ Quê Đồng Văn" in page and "Bán hàng cùng Chợ Quê Đồng Văn" in page
    assert client.get("/manifest.webmanifest").get_json()["name"] == "Chợ Quê Đồng Văn"
    with app.app_context():
        UserFactory(email="quen@example.vn")
        db.session.commit()
        outbox().clear()
    client.post("/password/forgot", data={"email": "quen@example.vn"})
    with app.app_context():
        [message] = outbox()
        assert "Chợ Quê Đồng Văn" in message["Subject"]
        body = message.get_content()
        assert "Chợ Quê Đồng Văn" in body and "OCOP Market" not in body
