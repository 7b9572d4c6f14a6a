"""MEDIA_STORAGE=s3: an uploaded photo lands in the bucket of a real S3 protocol server (moto,
server mode) and the pages show it from there; when S3 fails, nothing is half-stored."""

import io
import json
import urllib.request
import uuid

import boto3
import pytest
from sqlalchemy import func, select

from storefront.catalogue.models import ProductImage
from storefront.errors import ValidationFailed
from storefront.extensions import db
from storefront.storage import public_photos_policy
from tests.dashboard.conftest import make_side
from tests.dashboard.factories_dashboard import image_bytes
from tests.tasks.fake_smtp import closed_port


def _client_for(app, side):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = side.owner.get_id()
        session["_fresh"] = True
    client.set_cookie("lang", "en")
    return client


def _upload(client, product, data):
    return client.post(
        f"/dashboard/products/{product.id}/images",
        data={"photo": (io.BytesIO(data), "honey.jpg"), "alt": "a jar"},
        content_type="multipart/form-data",
    )


@pytest.fixture
def bucket(s3_env):
    name = f"media-{uuid.uuid4().hex[:8]}"
    client = boto3.client("s3", endpoint_url=s3_env, region_name="us-east-1")
    client.create_bucket(Bucket=name)
    # As a deployment sets it (README): stored files are readable, the bucket is not listable.
    client.put_bucket_policy(Bucket=name, Policy=json.dumps(public_photos_policy(name)))
    return name, client


def _keys(client, bucket_name) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=bucket_name).get("Contents", []))


def test_an_upload_lands_in_the_bucket_and_is_shown_from_there(app_factory, s3_env, bucket):
    bucket_name, s3 = bucket
    app = app_factory(MEDIA_STORAGE="s3", S3_ENDPOINT_URL=s3_env, S3_BUCKET=bucket_name)
    with app.app_context():
        side = make_side("S3")
        db.session.commit()
        client = _client_for(app, side)
        response = _upload(client, side.product, image_bytes("JPEG", (1200, 900)))
        assert response.status_code == 303
        image = db.session.scalar(select(ProductImage))
        stem = image.filename.removesuffix(".jpg")
        # The photo, then (the image task, in process here) its thumbnail and WebP versions.
        assert image.webp_widths == [480, 960, 1200]
        assert image.thumb_filename == f"{stem}-thumb.jpg"
        assert _keys(s3, bucket_name) == sorted(
            [image.filename, image.thumb_filename] + [f"{stem}-{w}.webp" for w in (480, 960, 1200)]
        )
        page = client.get(f"/products/{side.product.slug}")
        html = page.get_data(as_text=True)
        photo_url = f"{s3_env}/{bucket_name}/{image.filename}"
        assert f'src="{photo_url}"' in html
        assert f"{s3_env}/{bucket_name}/{stem}-960.webp 960w" in html and "sizes=" in html
        assert s3_env in page.headers["Content-Security-Policy"]
        with urllib.request.urlopen(photo_url, timeout=10) as served:
            assert served.read(3) == b"\xff\xd8\xff"  # a JPEG, fetched from the S3 server
        # Removing the photo removes every stored version.
        delete = client.post(f"/dashboard/products/{side.product.id}/images/{image.id}/delete")
        assert delete.status_code == 303
        assert _keys(s3, bucket_name) == []
        db.session.remove()


def test_s3_unreachable_during_an_upload_is_a_clear_message(app_factory, s3_env):
    app = app_factory(
        MEDIA_STORAGE="s3", S3_ENDPOINT_URL=f"http://127.0.0.1:{closed_port()}", S3_BUCKET="media"
    )
    with app.app_context():
        side = make_side("Down")
        db.session.commit()
        response = _upload(_client_for(app, side), side.product, image_bytes("JPEG"))
        assert response.status_code == 422
        assert "nothing was saved" in response.get_data(as_text=True)
        assert db.session.scalar(select(func.count()).select_from(ProductImage)) == 0
        db.session.remove()


def test_a_failure_after_the_file_was_stored_removes_it(app_factory, s3_env, bucket, monkeypatch):
    bucket_name, s3 = bucket
    app = app_factory(MEDIA_STORAGE="s3", S3_ENDPOINT_URL=s3_env, S3_BUCKET=bucket_name)

    def refuse(*args, **kwargs):
        raise ValidationFailed("refused after storing")

    monkeypatch.setattr("storefront.catalogue.products.enqueue", refuse)
    with app.app_context():
        side = make_side("Half")
        db.session.commit()
        response = _upload(_client_for(app, side), side.product, image_bytes("JPEG"))
        assert response.status_code == 422
        assert db.session.scalar(select(func.count()).select_from(ProductImage)) == 0
        assert _keys(s3, bucket_name) == []  # the rollback took the stored photo with it
        db.session.remove()
