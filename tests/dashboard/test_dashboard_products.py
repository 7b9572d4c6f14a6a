"""Products: create, edit, publish rules, mass assignment, photos (the abuse set), certificates."""

import io
import os
import re
import struct
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from storefront.catalogue.queries import ProductFilters, search_products
from storefront.clock import today_vn
from storefront.extensions import db
from storefront.models import (
    Certificate,
    CertificateStatus,
    ProducerStatus,
    Product,
    ProductImage,
    ProductStatus,
    StockMovement,
)

from .factories_dashboard import image_bytes

VALID = {
    "name": "Mật ong bạc hà Đồng Văn",
    "group": "food",
    "subgroup": "raw_preprocessed",
    "unit": "hũ 500 ml",
    "price": "250000",
    "description": "Mật ong mùa hoa bạc hà.",
    "season_start_month": "10",
    "season_end_month": "2",
    "low_stock_threshold": "4",
    "initial_stock": "12",
}


def _new_product(client, **overrides):
    return client.post("/dashboard/products/new", data={**VALID, **overrides})


def test_create_product_is_a_draft_with_initial_stock_in_the_ledger(client, login_a):
    response = _new_product(client)
    assert response.status_code == 303
    product = db.session.scalar(select(Product).where(Product.name == VALID["name"]))
    assert product.status is ProductStatus.DRAFT
    assert product.producer_id == login_a.producer.id
    assert (product.stock_on_hand, product.season_start_month, product.season_end_month) == (
        12,
        10,
        2,
    )
    product.status = ProductStatus.ACTIVE  # once published, search finds it
    db.session.commit()
    found = search_products(ProductFilters(q="bac ha dong van"), today_vn(), with_facets=False)
    assert found.ids == [product.id]
    movement = db.session.scalar(
        select(StockMovement).where(StockMovement.product_id == product.id)
    )
    assert movement.delta_on_hand == 12


def test_mass_assignment_changes_nothing(client, login_a, side_b):
    hostile = {
        "featured": "y",
        "featured_position": "1",
        "producer_id": str(side_b.producer.id),
        "approved": "1",
        "status": "active",
        "stock_on_hand": "9999",
        "slug": "hijacked",
        "id": str(side_b.product.id),
    }
    assert _new_product(client, **hostile).status_code == 303
    created = db.session.scalar(select(Product).where(Product.name == VALID["name"]))
    assert created.producer_id == login_a.producer.id
    assert created.featured is False and created.status is ProductStatus.DRAFT
    assert created.stock_on_hand == 12 and created.slug != "hijacked"

    product = login_a.product
    product.status = ProductStatus.DRAFT
    db.session.commit()
    data = {**VALID, **hostile, "name": "Renamed"}
    response = client.post(f"/dashboard/products/{product.id}", data=data)
    assert response.status_code == 303
    db.session.expire_all()
    product = db.session.get(Product, product.id)
    assert product.name == "Renamed"
    assert product.producer_id == login_a.producer.id
    assert product.featured is False and product.status is ProductStatus.DRAFT
    assert product.stock_on_hand == 20  # stock moves only through the stock page
    assert db.session.get(Product, side_b.product.id).name != "Renamed"
    assert login_a.producer.status is ProducerStatus.APPROVED


@pytest.mark.parametrize(
    ("overrides", "field_text"),
    [
        ({"name": ""}, b"name"),
        ({"price": "0"}, b"price"),
        ({"price": "abc"}, b"price"),
        ({"group": "weapons"}, b"group"),
        ({"subgroup": "textiles"}, b"subgroup"),  # a handicraft subgroup under food
        ({"made_to_order": "y", "lead_time_days": ""}, b"lead_time_days"),
        ({"season_end_month": ""}, b"season_end_month"),
    ],
)
def test_bad_product_input_is_422_and_keeps_what_was_typed(client, login_a, overrides, field_text):
    client.set_cookie("lang", "en")
    response = _new_product(client, **overrides)
    assert response.status_code == 422
    assert b'id="' + field_text + b'-error"' in response.data
    assert "bạc hà".encode() in response.data or overrides.get("name") == ""
    assert db.session.scalar(select(Product).where(Product.name == VALID["name"])) is None


def test_publish_needs_an_approved_producer(client, login_a):
    product = login_a.product
    product.status = ProductStatus.DRAFT
    login_a.producer.status = ProducerStatus.PENDING
    db.session.commit()
    response = client.post(f"/dashboard/products/{product.id}/status", data={"status": "active"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Product, product.id).status is ProductStatus.DRAFT

    login_a.producer.status = ProducerStatus.APPROVED
    db.session.commit()
    client.post(f"/dashboard/products/{product.id}/status", data={"status": "active"})
    db.session.expire_all()
    assert db.session.get(Product, product.id).status is ProductStatus.ACTIVE


def test_archive_and_restore(client, login_a):
    product = login_a.product
    product.featured = True
    db.session.commit()
    client.post(f"/dashboard/products/{product.id}/status", data={"status": "archived"})
    db.session.expire_all()
    archived = db.session.get(Product, product.id)
    assert archived.status is ProductStatus.ARCHIVED and archived.featured is False
    client.post(f"/dashboard/products/{product.id}/status", data={"status": "draft"})
    db.session.expire_all()
    assert db.session.get(Product, product.id).status is ProductStatus.DRAFT
    assert (
        client.post(
            f"/dashboard/products/{product.id}/status", data={"status": "deleted"}
        ).status_code
        == 400
    )


# --- the upload abuse set ------------------------------------------------------------------


def _upload(client, product, data: bytes, filename: str):
    return client.post(
        f"/dashboard/products/{product.id}/images",
        data={"photo": (io.BytesIO(data), filename), "alt": "a jar"},
        content_type="multipart/form-data",
    )


def _images(product):
    return list(
        db.session.scalars(select(ProductImage).where(ProductImage.product_id == product.id))
    )


@pytest.mark.parametrize(("fmt", "mode"), [("JPEG", "RGB"), ("PNG", "RGBA"), ("WEBP", "RGB")])
def test_good_photo_is_reencoded_with_a_thumbnail(client, app, login_a, fmt, mode):
    response = _upload(client, login_a.product, image_bytes(fmt, (1200, 900), mode), "x.png")
    assert response.status_code == 303
    [image] = _images(login_a.product)
    folder = Path(app.config["UPLOAD_FOLDER"])
    for name in (image.filename, image.thumb_filename):
        assert name.startswith("products/") and name.endswith(".jpg")
        with Image.open(folder / name) as stored:
            assert stored.format == "JPEG"
    with Image.open(folder / image.thumb_filename) as thumb:
        assert max(thumb.size) <= 480
    assert (image.width, image.height) == (1200, 900)


def test_exif_is_stripped(client, app, login_a):
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    Image.new("RGB", (50, 50)).save(buffer, format="JPEG", exif=exif.tobytes())
    assert b"SecretCam" in buffer.getvalue()
    _upload(client, login_a.product, buffer.getvalue(), "p.jpg")
    [image] = _images(login_a.product)
    assert b"SecretCam" not in (Path(app.config["UPLOAD_FOLDER"]) / image.filename).read_bytes()


@pytest.mark.parametrize(
    ("payload", "filename"),
    [
        (b"<!doctype html><html><script>alert(1)</script></html>", "honey.jpg"),
        (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
            b"<rect width='10' height='10'/></svg>",
            "honey.jpg",
        ),
        (b"GIF89a" + b"\x00" * 40, "honey.png"),
        (image_bytes("BMP"), "honey.webp"),
        (image_bytes("JPEG")[:60], "truncated.jpg"),
        (b"", "empty.jpg"),
    ],
    ids=["html", "svg", "gif", "bmp", "truncated", "empty"],
)
def test_non_images_are_rejected_by_content(client, login_a, payload, filename):
    client.set_cookie("lang", "en")
    response = _upload(client, login_a.product, payload, filename)
    assert response.status_code == 422
    assert b'id="photo-error"' in response.data
    assert _images(login_a.product) == []


def _png_bomb(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height pixels."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("size", [(8000, 8000), (100_000, 100_000), (2_000, 30_000)])
def test_pixel_bombs_are_rejected(client, login_a, size):
    client.set_cookie("lang", "en")
    payload = _png_bomb(*size)
    assert len(payload) < 5000
    response = _upload(client, login_a.product, payload, "bomb.png")
    assert response.status_code == 422
    assert b"too many pixels" in response.data
    assert _images(login_a.product) == []


def test_pixel_cap_comes_from_config(app_factory, side_a):
    app = app_factory(UPLOAD_MAX_PIXELS=1000)
    with app.app_context():
        from tests.dashboard.conftest import make_side

        side = make_side("Cap")
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = side.owner.get_id()
        client.set_cookie("lang", "en")
        response = _upload(client, side.product, image_bytes("PNG", (40, 40)), "small.png")
        assert response.status_code == 422
        assert b"too many pixels" in response.data
        ok = _upload(client, side.product, image_bytes("PNG", (30, 30)), "small.png")
        assert ok.status_code == 303


def test_oversized_upload_is_413_with_a_clear_message(app_factory, side_a):
    app = app_factory(MAX_CONTENT_LENGTH=1024 * 1024)
    with app.app_context():
        from tests.dashboard.conftest import make_side

        side = make_side("Big")
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = side.owner.get_id()
        client.set_cookie("lang", "en")
        response = _upload(client, side.product, os.urandom(1024 * 1024 + 10), "huge.jpg")
        assert response.status_code == 413
        assert b"larger than 1 MB" in response.data
        assert _images(side.product) == []


def test_default_limit_is_8_mb(client, login_a):
    client.set_cookie("lang", "en")
    response = _upload(client, login_a.product, b"\xff" * (8 * 1024 * 1024 + 1), "huge.jpg")
    assert response.status_code == 413
    assert b"larger than 8 MB" in response.data


@pytest.mark.parametrize(
    "filename",
    ["../../../storefront/__init__.py", "..\\..\\evil.jpg", "/etc/passwd", "a\x00.jpg.php", ".."],
)
def test_path_traversal_names_are_harmless(client, app, login_a, filename):
    response = _upload(client, login_a.product, image_bytes("JPEG"), filename)
    assert response.status_code == 303
    [image] = _images(login_a.product)
    folder = Path(app.config["UPLOAD_FOLDER"]).resolve()
    for name in (image.filename, image.thumb_filename):
        assert ".." not in name and "passwd" not in name and "php" not in name
        assert (folder / name).resolve().parent == folder / "products"
    stored = sorted(p.name for p in (folder / "products").iterdir())
    # The photo, and what the image task made from it: a thumbnail and the WebP versions.
    stem = Path(image.filename).stem
    webp = [f"{stem}-{width}.webp" for width in image.webp_widths]
    assert stored == sorted([f"{stem}.jpg", f"{stem}-thumb.jpg", *webp])


def test_delete_image_removes_files(client, app, login_a):
    _upload(client, login_a.product, image_bytes("JPEG"), "a.jpg")
    [image] = _images(login_a.product)
    path = Path(app.config["UPLOAD_FOLDER"]) / image.filename
    assert path.exists()
    response = client.post(f"/dashboard/products/{login_a.product.id}/images/{image.id}/delete")
    assert response.status_code == 303
    assert _images(login_a.product) == []
    assert not path.exists()
    assert list(path.parent.iterdir()) == []  # the thumbnail and WebP versions too


# --- certificates --------------------------------------------------------------------------


def _certificate(client, product, **overrides):
    data = {
        "number": "OCOP-HG-2024-0042",
        "stars": "4",
        "issuing_authority": "UBND tỉnh Hà Giang",
        "decision_number": "1234/QĐ-UBND",
        "signed_on": (today_vn() - timedelta(days=100)).isoformat(),
        "scan": (io.BytesIO(image_bytes("PNG", (300, 400))), "scan.png"),
        **overrides,
    }
    return client.post(
        f"/dashboard/products/{product.id}/certificates/new",
        data=data,
        content_type="multipart/form-data",
    )


def test_certificate_submission_is_pending(client, login_a):
    response = _certificate(client, login_a.product)
    assert response.status_code == 303
    certificate = db.session.scalar(
        select(Certificate).where(Certificate.number == "OCOP-HG-2024-0042")
    )
    assert certificate.status is CertificateStatus.PENDING
    assert certificate.valid_until == Certificate.default_valid_until(certificate.signed_on)
    assert certificate.scan_filename.startswith("certificates/")
    db.session.expire_all()
    assert db.session.get(Product, login_a.product.id).stars_on() is None  # no stars yet
    page = client.get(f"/dashboard/certificates/{certificate.id}")
    assert page.status_code == 200


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"stars": "2"}, b"stars"),
        ({"signed_on": (today_vn() + timedelta(days=3)).isoformat()}, b"signed_on"),
        ({"signed_on": "2019-01-01"}, b"signed_on"),  # long expired
        ({"number": ""}, b"number"),
        ({"scan": (io.BytesIO(b"%PDF-1.4 fake"), "scan.pdf")}, b"scan"),
    ],
)
def test_bad_certificates_are_refused(client, login_a, overrides, field):
    response = _certificate(client, login_a.product, **overrides)
    assert response.status_code == 422
    assert b'id="' + field + b'-error"' in response.data
    assert db.session.scalar(select(Certificate)) is None


def test_duplicate_certificate_number(client, login_a, side_b):
    response = _certificate(client, login_a.product, number=side_b.certificate.number)
    assert response.status_code == 422
    assert b'id="number-error"' in response.data


def test_edit_form_shows_the_stored_values(client, login_a):
    product = login_a.product
    product.season_start_month, product.season_end_month = 10, 2
    db.session.commit()
    page = client.get(f"/dashboard/products/{product.id}").get_data(as_text=True)
    for value in ("10", "2", "raw_preprocessed", "food"):
        assert re.search(rf'<option[^>]*selected[^>]*value="{value}"', page), value
    assert not re.search(r'<option[^>]*selected[^>]*value="1"', page)
    # Saving the untouched form keeps the season.
    response = client.post(
        f"/dashboard/products/{product.id}",
        data={**VALID, "season_start_month": "10", "season_end_month": "2"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Product, product.id).season_start_month == 10


def test_comments_and_text_chunks_are_not_kept(client, app, login_a):
    """Found (issue 11): JPEG comments and PNG text chunks survived into the stored file."""
    from PIL import PngImagePlugin

    jpeg = io.BytesIO()
    Image.new("RGB", (40, 40)).save(jpeg, format="JPEG", comment=b"SecretComment")
    text = PngImagePlugin.PngInfo()
    text.add_text("comment", "SecretText")
    text.add_text("Author", "SecretAuthor")
    png = io.BytesIO()
    Image.new("RGB", (40, 40)).save(png, format="PNG", pnginfo=text)
    markers = (b"SecretComment", b"SecretText", b"SecretAuthor")
    for data in (jpeg.getvalue(), png.getvalue()):
        assert any(marker in data for marker in markers)
        assert _upload(client, login_a.product, data, "p.jpg").status_code == 303
    folder = Path(app.config["UPLOAD_FOLDER"])
    images = _images(login_a.product)
    assert len(images) == 2
    for image in images:
        for name in (image.filename, image.thumb_filename):
            stored = (folder / name).read_bytes()
            assert not any(marker in stored for marker in markers), name


def test_english_name_and_description_are_saved_and_can_be_cleared(client, login_a):
    response = _new_product(
        client, name_en="  Dong Van mint honey ", description_en="From wild mint."
    )
    assert response.status_code == 303
    product = db.session.scalar(select(Product).where(Product.name == VALID["name"]))
    assert (product.name_en, product.description_en) == ("Dong Van mint honey", "From wild mint.")
    form = client.get(f"/dashboard/products/{product.id}").get_data(as_text=True)
    assert 'value="Dong Van mint honey"' in form and 'lang="en"' in form
    client.post(f"/dashboard/products/{product.id}", data={**VALID, "name_en": ""})
    db.session.expire_all()
    assert product.name_en is None and product.description_en is None
