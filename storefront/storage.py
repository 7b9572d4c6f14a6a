"""Media storage: the one module that talks to where uploaded files live.

The filesystem (UPLOAD_FOLDER, served under /static/uploads/) by default; any S3-compatible
object store with MEDIA_STORAGE=s3 (S3_BUCKET, S3_ENDPOINT_URL, S3_REGION; credentials come
from the environment the way boto3 reads them, e.g. AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY).
Pages link to MEDIA_BASE_URL + name (default: the endpoint's path-style bucket URL).

A save either stores the whole file or nothing: the filesystem writes a temporary file and
renames it, S3 stores an object in one PUT. Any failure is a StorageUnavailable, whose message
is shown to the person uploading.
"""

import os
import tempfile
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l

from .errors import DomainError

# Names are made by the server (random hex), so a stored file never changes: cache it for ever.
CACHE_CONTROL = "public, max-age=31536000, immutable"


class StorageUnavailable(DomainError):
    default_message = _l(
        "The photo could not be stored right now, so nothing was saved. Please try again in a "
        "few minutes."
    )


class Storage(Protocol):
    def save(self, name: str, data: bytes, content_type: str) -> None: ...
    def read(self, name: str) -> bytes: ...
    def delete(self, *names: str | None) -> None: ...
    def exists(self, name: str) -> bool: ...
    def url(self, name: str) -> str: ...
    def origin(self) -> str | None: ...


class FilesystemStorage:
    def __init__(self, root: str, base_url: str = "/static/uploads/"):
        self.root = Path(root)
        self.base_url = base_url.rstrip("/") + "/"

    def _path(self, name: str) -> Path:
        root = self.root.resolve()
        path = (root / name).resolve()
        if root not in path.parents:  # only names this app generated resolve inside
            raise ValueError(f"not a media name: {name!r}")
        return path

    def save(self, name: str, data: bytes, content_type: str) -> None:
        path = self._path(name)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        except OSError as error:
            raise StorageUnavailable() from error

    def read(self, name: str) -> bytes:
        try:
            return self._path(name).read_bytes()
        except OSError as error:
            raise StorageUnavailable() from error

    def delete(self, *names: str | None) -> None:
        for name in names:
            if name:
                self._path(name).unlink(missing_ok=True)

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def url(self, name: str) -> str:
        return self.base_url + name

    def origin(self) -> str | None:
        return None  # same origin as the pages


class S3Storage:
    def __init__(self, client, bucket: str, base_url: str):
        self.client = client
        self.bucket = bucket
        self.base_url = base_url.rstrip("/") + "/"

    def _call(self, method: str, **params):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client, method)(Bucket=self.bucket, **params)
        except (BotoCoreError, ClientError) as error:
            raise StorageUnavailable() from error

    def save(self, name: str, data: bytes, content_type: str) -> None:
        self._call(
            "put_object",
            Key=name,
            Body=data,
            ContentType=content_type,
            CacheControl=CACHE_CONTROL,
        )

    def read(self, name: str) -> bytes:
        return self._call("get_object", Key=name)["Body"].read()

    def exists(self, name: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=name)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise StorageUnavailable() from error
        except Exception as error:  # botocore's connection errors
            raise StorageUnavailable() from error
        return True

    def delete(self, *names: str | None) -> None:
        keys = [{"Key": name} for name in names if name]
        if keys:
            self._call("delete_objects", Delete={"Objects": keys, "Quiet": True})

    def url(self, name: str) -> str:
        return self.base_url + name

    def origin(self) -> str | None:
        from urllib.parse import urlsplit

        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}" if parts.netloc else None


def build_storage(config) -> Storage:
    if config.get("MEDIA_STORAGE", "filesystem") != "s3":
        return FilesystemStorage(config["UPLOAD_FOLDER"])
    import boto3
    from botocore.config import Config as BotoConfig

    endpoint = config.get("S3_ENDPOINT_URL") or None
    bucket = config["S3_BUCKET"]
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=config.get("S3_REGION") or "us-east-1",
        config=BotoConfig(
            connect_timeout=3,
            read_timeout=15,
            retries={"max_attempts": 2, "mode": "standard"},
            s3={"addressing_style": "path"},
        ),
    )
    default_base = (
        f"{endpoint.rstrip('/')}/{bucket}" if endpoint else f"https://{bucket}.s3.amazonaws.com"
    )
    return S3Storage(client, bucket, config.get("MEDIA_BASE_URL") or default_base)


_SETTINGS = ("MEDIA_STORAGE", "UPLOAD_FOLDER", "S3_ENDPOINT_URL", "S3_BUCKET", "MEDIA_BASE_URL")


def init_storage(app: Flask) -> None:
    storage_for(app)


def storage_for(app: Flask) -> Storage:
    # Rebuilt only if the settings change (tests give each test its own upload folder).
    key = tuple(app.config.get(name) for name in _SETTINGS)
    cached = app.extensions.get("media_storage")
    if cached is None or cached[0] != key:
        cached = app.extensions["media_storage"] = (key, build_storage(app.config))
    return cached[1]


def storage() -> Storage:
    return storage_for(current_app._get_current_object())


def media_url(name: str | None) -> str:
    return storage().url(name) if name else ""


def absolute_media_url(name: str) -> str:
    """For feeds, emails and og:image: a filesystem URL gets the public host in front."""
    url = media_url(name)
    if url.startswith("/"):
        return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url
    return url


def public_photos_policy(bucket: str) -> dict:
    """The bucket policy a deployment sets: anyone may read what the app stores (the pages
    link to it; names are random, as under static/uploads/ on the filesystem), nobody may
    list the bucket."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PublicProductPhotos",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": [
                    f"arn:aws:s3:::{bucket}/{prefix}/*"
                    for prefix in ("products", "certificates", "demo")
                ],
            }
        ],
    }
