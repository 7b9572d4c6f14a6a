"""Stock: adjustments with reasons, the ledger, the low-stock threshold, CSV import."""

import io

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Product, StockMovement, StockReason
from storefront.producers import stock_import
from tests.factories import ProductFactory

from .factories_dashboard import make_order


def _adjust(client, product, reason, quantity, note=""):
    return client.post(
        f"/dashboard/products/{product.id}/stock",
        data={"reason": reason, "quantity": str(quantity), "note": note},
    )


def _stock(product_id):
    db.session.expire_all()
    product = db.session.get(Product, product_id)
    return product.stock_on_hand, product.stock_reserved


def _ledger(product_id):
    return [
        (m.reason, m.delta_on_hand, m.delta_reserved, m.note)
        for m in db.session.scalars(
            select(StockMovement)
            .where(StockMovement.product_id == product_id)
            .order_by(StockMovement.id)
        )
    ]


def test_harvest_damage_and_count_are_ledgered(client, login_a):
    product = login_a.product  # 20 on hand
    assert _adjust(client, product, "harvest", 15, "Mùa hoa tháng 11").status_code == 303
    assert _adjust(client, product, "damage", 3, "Vỡ hũ").status_code == 303
    assert _adjust(client, product, "count_correction", 30).status_code == 303
    assert _stock(product.id) == (30, 0)
    assert _ledger(product.id) == [
        (StockReason.HARVEST, 15, 0, "Mùa hoa tháng 11"),
        (StockReason.DAMAGE, -3, 0, "Vỡ hũ"),
        (StockReason.COUNT_CORRECTION, -2, 0, None),
    ]
    page = client.get(f"/dashboard/stock/movements?product={product.id}")
    assert "Vỡ hũ".encode() in page.data


def test_stock_cannot_drop_below_reserved(client, login_a):
    client.set_cookie("lang", "en")
    product = login_a.product
    make_order(login_a.producer, [(product, 18)])
    db.session.commit()
    response = _adjust(client, product, "damage", 3)
    assert response.status_code == 422
    assert b"reserved" in response.data
    response = _adjust(client, product, "count_correction", 10)
    assert response.status_code == 422
    assert _stock(product.id) == (20, 18)
    assert [m[0] for m in _ledger(product.id)] == [StockReason.RESERVE]


@pytest.mark.parametrize(
    ("reason", "quantity", "field"),
    [
        ("harvest", 0, "quantity"),
        ("damage", -4, "quantity"),
        ("reserve", 5, "reason"),
        ("count_correction", 20, "quantity"),
    ],
)
def test_bad_adjustments(client, login_a, reason, quantity, field):
    response = _adjust(client, login_a.product, reason, quantity)
    assert response.status_code == 422
    assert f'id="{field}-error"'.encode() in response.data
    assert _ledger(login_a.product.id) == []


def test_low_stock_threshold(client, login_a):
    client.set_cookie("lang", "en")
    product = login_a.product
    assert product.name.encode() not in client.get("/dashboard").data.split(b"Low on stock")[1]
    response = client.post(f"/dashboard/products/{product.id}/threshold", data={"threshold": "25"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Product, product.id).low_stock_threshold == 25
    overview = client.get("/dashboard").data.split(b"Low on stock")[1]
    assert product.name.encode() in overview
    bad = client.post(f"/dashboard/products/{product.id}/threshold", data={"threshold": "-1"})
    assert bad.status_code == 422


# --- CSV import ----------------------------------------------------------------------------


def _preview(client, text: str, encoding="utf-8"):
    return client.post(
        "/dashboard/stock/import",
        data={"csv_file": (io.BytesIO(text.encode(encoding)), "stock.csv")},
        content_type="multipart/form-data",
    )


def test_csv_preview_then_apply(client, login_a):
    client.set_cookie("lang", "en")
    a1 = login_a.product
    a2 = ProductFactory(producer=login_a.producer, stock_on_hand=5)
    db.session.commit()
    text = f"product_id;name;count\n{a1.id};Mật ong;25\n{a2.id};Vải lanh;5\n\n"
    preview = _preview(client, "\ufeff" + text)
    assert preview.status_code == 200
    assert b"20 \xe2\x86\x92 25" in preview.data  # 20 → 25
    assert b"no change" in preview.data
    assert _stock(a1.id) == (20, 0)  # the preview saves nothing

    response = client.post("/dashboard/stock/import/apply", data={"csv_text": text})
    assert response.status_code == 303
    assert _stock(a1.id) == (25, 0) and _stock(a2.id) == (5, 0)
    assert _ledger(a1.id) == [(StockReason.IMPORT, 5, 0, "CSV")]


def test_csv_rows_with_errors_block_the_import(client, login_a, side_b):
    client.set_cookie("lang", "en")
    a = login_a.product
    make_order(login_a.producer, [(a, 4)])
    db.session.commit()
    text = (
        "product_id,count\n"
        f"{a.id},3\n"  # below the 4 reserved
        f"{side_b.product.id},7\n"  # someone else's product
        "abc,1\n"
        f"{a.id},x\n"  # duplicate and not a number
        "999999,-1\n"
    )
    response = _preview(client, text)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "below the 4 units reserved" in body
    assert f"No product with id {side_b.product.id} in your shop" in body
    assert "must be a whole number" in body
    assert "appears more than once" in body
    assert "cannot be negative" in body
    assert "Apply these counts" not in body
    assert side_b.product.name not in body
    # Posting the text straight to apply is checked again and refused.
    applied = client.post("/dashboard/stock/import/apply", data={"csv_text": text})
    assert applied.status_code == 422
    assert _stock(a.id) == (20, 4)
    assert _stock(side_b.product.id)[0] == side_b.product.stock_on_hand


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", b"Choose a CSV file"),
        ("name,qty\nx,1\n", b"must name the columns sku and count"),
        ("product_id,count\n", b"no data rows"),
    ],
)
def test_unusable_csv_files(client, login_a, content, message):
    client.set_cookie("lang", "en")
    response = (
        _preview(client, content)
        if content
        else client.post("/dashboard/stock/import", data={}, content_type="multipart/form-data")
    )
    assert response.status_code == 422
    assert message in response.data


def test_csv_not_utf8(client, login_a):
    client.set_cookie("lang", "en")
    response = _preview(client, "product_id,count\n1,Mật\n", encoding="utf-16")
    assert response.status_code == 422
    assert b"UTF-8" in response.data


def test_csv_service_refuses_other_producers_rows(app, side_a, side_b):
    result = stock_import.preview(
        db.session, side_a.producer, f"product_id,count\n{side_b.product.id},1\n"
    )
    assert not result.ok and result.rows[0].product is None


# --- per variant (issue 16) ----------------------------------------------------------------


def _shirt(producer):
    from tests.factories import product_with_variants

    return product_with_variants(
        {"M": (890_000, 3), "L": (890_000, 2)}, producer=producer, slug="ao-lanh-nam"
    )


def test_stock_sheet_has_one_row_per_sku_and_imports_back(client, login_a):
    client.set_cookie("lang", "en")
    shirt = _shirt(login_a.producer)
    db.session.commit()
    sheet = client.get("/dashboard/stock/export.csv").get_data(as_text=True)
    rows = [line.split(",") for line in sheet.lstrip("\ufeff").strip().splitlines()]
    assert rows[0][:2] == ["sku", "product_id"]
    skus = {row[0]: row for row in rows[1:]}
    assert {"AO-LANH-NAM-M", "AO-LANH-NAM-L"} <= set(skus)
    assert skus["AO-LANH-NAM-M"][-1] == "3" and skus["AO-LANH-NAM-L"][-1] == "2"

    text = "sku;count\nao-lanh-nam-m;7\nAO-LANH-NAM-L;2\n"  # SKUs match whatever the case
    preview = _preview(client, text)
    assert preview.status_code == 200 and "3 → 7" in preview.get_data(as_text=True)
    assert client.post("/dashboard/stock/import/apply", data={"csv_text": text}).status_code == 303
    db.session.expire_all()
    m, l_size = shirt.variants
    assert (m.stock_on_hand, l_size.stock_on_hand) == (7, 2)
    assert _stock(shirt.id) == (9, 0)  # the product's summary follows
    moves = db.session.scalars(
        select(StockMovement).where(StockMovement.reason == StockReason.IMPORT)
    ).all()
    assert [(mv.variant_id, mv.delta_on_hand) for mv in moves] == [(m.id, 4)]


def test_import_per_sku_refuses_unknown_duplicate_and_other_shops_skus(client, login_a, side_b):
    client.set_cookie("lang", "en")
    shirt = _shirt(login_a.producer)
    db.session.commit()
    other_sku = side_b.product.variants[0].sku
    text = f"sku,count\nAO-LANH-NAM-M,1\nao-lanh-nam-m,2\n{other_sku},5\nKHONG-CO,1\n"
    response = _preview(client, text)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "appears more than once" in body
    assert f"No variant with SKU {other_sku} on sale" in body and "KHONG-CO" in body
    # A file from before variants cannot say which size a product id means.
    old = _preview(client, f"product_id,count\n{shirt.id},4\n").get_data(as_text=True)
    assert "several variants" in old
