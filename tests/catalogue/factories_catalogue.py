"""Catalogue test data."""

import factory

from storefront.catalogue.models import ProductImage
from storefront.extensions import db
from tests.factories import BaseFactory, CertificateFactory, ProducerFactory, ProductFactory


class ProductImageFactory(BaseFactory):
    class Meta:
        model = ProductImage

    product = factory.SubFactory(ProductFactory)
    position = factory.Sequence(lambda n: n)
    filename = factory.Sequence(lambda n: f"products/img-{n}.jpg")
    thumb_filename = factory.Sequence(lambda n: f"products/img-{n}-thumb.jpg")
    alt = "Ảnh sản phẩm"
    width = 800
    height = 800


def make_product(**kwargs):
    """A product (active, approved producer unless told); the database indexes it."""
    product = ProductFactory(**kwargs)
    db.session.flush()
    return product


def make_certified(stars=4, certificate=None, **kwargs):
    product = make_product(**kwargs)
    CertificateFactory(product=product, stars=stars, **(certificate or {}))
    db.session.flush()
    return product


__all__ = [
    "CertificateFactory",
    "ProducerFactory",
    "ProductFactory",
    "ProductImageFactory",
    "make_certified",
    "make_product",
]
