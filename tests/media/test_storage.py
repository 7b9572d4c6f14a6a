"""One storage interface: the filesystem by default, S3 (moto's server here) in production."""

import boto3
import pytest

from storefront.storage import (
    FilesystemStorage,
    S3Storage,
    StorageUnavailable,
    build_storage,
)
from tests.tasks.fake_smtp import closed_port


def _s3_config(endpoint: str, bucket: str) -> dict:
    return {
        "MEDIA_STORAGE": "s3",
        "S3_ENDPOINT_URL": endpoint,
        "S3_BUCKET": bucket,
        "S3_REGION": "us-east-1",
        "UPLOAD_FOLDER": "/nonexistent",
    }


def test_filesystem_storage_writes_whole_files_inside_its_folder(tmp_path):
    store = FilesystemStorage(str(tmp_path / "uploads"))
    store.save("products/abc.jpg", b"\xff\xd8jpeg", "image/jpeg")
    assert store.read("products/abc.jpg") == b"\xff\xd8jpeg"
    assert store.url("products/abc.jpg") == "/static/uploads/products/abc.jpg"
    assert [p.name for p in (tmp_path / "uploads" / "products").iterdir()] == ["abc.jpg"]
    with pytest.raises(ValueError):
        store.save("../../app.py", b"x", "text/plain")
    store.delete("products/abc.jpg", None)
    assert list((tmp_path / "uploads" / "products").iterdir()) == []


def test_s3_storage_puts_reads_and_deletes_objects_in_the_bucket(s3_env):
    boto3.client("s3", endpoint_url=s3_env, region_name="us-east-1").create_bucket(Bucket="media")
    store = build_storage(_s3_config(s3_env, "media"))
    assert isinstance(store, S3Storage)
    store.save("products/abc.jpg", b"\xff\xd8jpeg", "image/jpeg")
    client = boto3.client("s3", endpoint_url=s3_env, region_name="us-east-1")
    head = client.head_object(Bucket="media", Key="products/abc.jpg")
    assert head["ContentType"] == "image/jpeg" and "immutable" in head["CacheControl"]
    assert store.read("products/abc.jpg") == b"\xff\xd8jpeg"
    assert store.url("products/abc.jpg") == f"{s3_env}/media/products/abc.jpg"
    assert store.origin() == s3_env
    store.delete("products/abc.jpg")
    assert client.list_objects_v2(Bucket="media").get("KeyCount", 0) == 0


def test_an_unreachable_or_missing_bucket_is_a_clear_error(s3_env):
    missing = build_storage(_s3_config(s3_env, "no-such-bucket"))
    with pytest.raises(StorageUnavailable):
        missing.save("products/a.jpg", b"x", "image/jpeg")
    down = build_storage(_s3_config(f"http://127.0.0.1:{closed_port()}", "media"))
    with pytest.raises(StorageUnavailable) as raised:
        down.save("products/a.jpg", b"x", "image/jpeg")
    assert "nothing was saved" in str(raised.value.message)
