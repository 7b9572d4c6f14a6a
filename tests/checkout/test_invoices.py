"""VAT invoices: asked for at checkout, exported and attached by each cooperative,
downloaded by the buyer; and the printable receipt in Vietnamese and English."""

import csv
import io

import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.mail import outbox
from storefront.models import MemberRole
from storefront.orders.models import InvoiceRequest, Order, SubOrderInvoice
from tests.checkout.factories_checkout import form_data
from tests.conftest import AuthActions
from tests.factories import ProducerMemberFactory, ProductFactory

INVOICE = {
    "invoice_wanted": "y",
    "invoice_company": "Công ty TNHH Quà Quê",
    "invoice_tax_code": "0101234567-001",
    "invoice_address": "12 Hàng Bạc, Hà Nội",
    "invoice_email": "ketoan@quaque.vn",
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def coops(app):
    a = ProducerMemberFactory(producer__name="HTX Mật ong", role=MemberRole.OWNER)
    b = ProducerMemberFactory(producer__name="HTX Hạt dẻ", role=MemberRole.OWNER)
    honey = ProductFactory(producer=a.producer, name="Mật ong bạc hà", price=190_000)
    chestnut = ProductFactory(producer=b.producer, name="Hạt dẻ", price=120_000)
    db.session.commit()
    return {"a": a, "b": b, "honey": honey, "chestnut": chestnut}


def _client_as(app, user):
    """A browser of its own, signed in as `user` (past the second factor, for an admin)."""
    client = app.test_client()
    AuthActions(client).login_as(user)
    return client


def _checkout(client, coops, **invoice):
    for product in (coops["honey"], coops["chestnut"]):
        client.post("/cart/add", data={"product_id": product.id, "quantity": 1})
    return client.post("/checkout", data={**form_data("cod"), **invoice})


@pytest.mark.parametrize("tax_code", ["12345", "01012345678", "0101234567-0012", "abcdefghij"])
def test_an_invalid_tax_code_is_refused_with_a_clear_message(app, client, coops, tax_code):
    client.set_cookie("lang", "en")
    response = _checkout(client, coops, **{**INVOICE, "invoice_tax_code": tax_code})
    assert response.status_code == 422
    assert "A tax code has 10 digits, or 13 for a branch" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_invoice_requested_exported_attached_and_downloaded(app, client, coops):
    response = _checkout(client, coops, **INVOICE)
    assert response.status_code == 303
    order = db.session.scalars(select(Order)).one()
    request = db.session.scalars(select(InvoiceRequest)).one()
    assert (request.order_id, request.tax_code) == (order.id, "0101234567001")
    honey_part = next(so for so in order.sub_orders if so.producer_id == coops["a"].producer_id)

    owner = _client_as(app, coops["a"].user)
    listing = owner.get("/dashboard/invoices").get_data(as_text=True)
    assert order.number in listing and "0101234567-001" in listing
    exported = owner.get("/dashboard/invoices/export.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    assert rows[0][:4] == ["Số đơn hàng", "Ngày đơn hàng", "Tên đơn vị mua hàng", "Mã số thuế"]
    # Only this cooperative's goods, and its shipping line.
    assert [(r[7], r[9], r[11]) for r in rows[1:]] == [
        ("Mật ong bạc hà", "1", "190000"),
        ("Phí vận chuyển", "1", "30000"),
    ]

    url = f"/dashboard/invoices/{honey_part.id}"
    bad = owner.post(
        url,
        data={
            "invoice_number": "00000123",
            "lookup_code": "ABC",
            "pdf": (io.BytesIO(b"<html>"), "x.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(SubOrderInvoice)) == 0
    data = {"invoice_number": "00000123", "lookup_code": "K7Q2-ABC"}
    response = owner.post(
        url, data={**data, "pdf": (io.BytesIO(PDF), "hd.pdf")}, content_type="multipart/form-data"
    )
    assert response.status_code == 303
    again = owner.post(
        url, data={**data, "pdf": (io.BytesIO(PDF), "hd.pdf")}, content_type="multipart/form-data"
    )
    assert again.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(SubOrderInvoice)) == 1
    # The other cooperative cannot attach to this sub-order.
    other = _client_as(app, coops["b"].user)
    assert other.post(url, data=data).status_code == 404
    # No longer waiting: the export is empty for this cooperative.
    exported = owner.get("/dashboard/invoices/export.csv").get_data(as_text=True)
    assert len(list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))) == 1

    page = client.get(f"/orders/{order.number}?token={order.access_token}").get_data(as_text=True)
    assert "00000123" in page and "K7Q2-ABC" in page
    pdf = client.get(
        f"/orders/{order.number}/invoices/{honey_part.id}.pdf?token={order.access_token}"
    )
    assert pdf.status_code == 200 and pdf.data == PDF
    assert (
        app.test_client().get(f"/orders/{order.number}/invoices/{honey_part.id}.pdf").status_code
        == 404
    )
    assert any("K7Q2-ABC" in m.get_content() for m in outbox() if m["To"] == order.email)


def test_receipt_prints_in_vietnamese_and_english(app, client, coops):
    _checkout(client, coops)
    order = db.session.scalars(select(Order)).one()
    url = f"/orders/{order.number}/receipt?token={order.access_token}"
    vi = client.get(url + "&lang=vi").get_data(as_text=True)
    en = client.get(url + "&lang=en").get_data(as_text=True)
    assert '<html lang="vi">' in vi and "Biên nhận" in vi and "370.000\xa0₫" in vi
    assert '<html lang="en">' in en and "Receipt" in en and "370.000\xa0₫" in en
    with open(app.static_folder + "/css/receipt.css", encoding="utf-8") as sheet:
        assert "@media print" in sheet.read()
    assert "css/receipt.css" in vi
    assert app.test_client().get(f"/orders/{order.number}/receipt").status_code == 404
