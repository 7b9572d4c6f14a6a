"""Fill a database with the demo catalogue plus N generated products, fast enough for 100,000.

Products, images and certificates go in as bulk INSERTs with explicit ids; the database's own
triggers index them for search (catalogue/search.py), as they do for the shop.
"""

import random
from datetime import date, timedelta

from sqlalchemy import func, insert, select, text

from storefront.catalogue.models import (
    Certificate,
    CertificateStatus,
    Product,
    ProductImage,
    ProductStatus,
)
from storefront.clock import utcnow
from storefront.core import places
from storefront.extensions import db
from storefront.producers.models import Producer, ProducerKind, ProducerStatus
from storefront.seed import seed_demo
from storefront.text import slugify

KINDS = [
    ("Mật ong", "food", "raw_preprocessed", "hũ 500 ml"),
    ("Trà shan tuyết", "beverage", "non_alcoholic", "hộp 200 g"),
    ("Rượu ngô", "beverage", "alcoholic", "chai 500 ml"),
    ("Khăn lanh", "handicraft", "textiles", "khăn 180 × 60 cm"),
    ("Túi thổ cẩm", "handicraft", "textiles", "chiếc"),
    ("Bánh tam giác mạch", "food", "processed", "hộp 10 bánh"),
    ("Hạt dẻ", "food", "raw_preprocessed", "túi 1 kg"),
    ("Miến dong", "food", "processed", "gói 500 g"),
    ("Gạo nếp cái hoa vàng", "food", "fresh", "túi 5 kg"),
    ("Nấm hương rừng", "food", "raw_preprocessed", "túi 300 g"),
    ("Tinh dầu quế", "herbal", "herbal_products", "lọ 50 ml"),
    ("Cao atiso", "herbal", "herbal_products", "hộp 200 g"),
    ("Giỏ mây tre", "handicraft", "natural_fibre", "chiếc"),
    ("Thịt trâu gác bếp", "food", "processed", "gói 500 g"),
    ("Mứt mận", "food", "processed", "hộp 300 g"),
    ("Cà phê Arabica", "beverage", "non_alcoholic", "túi 500 g"),
    ("Nước mắm cá cơm", "food", "processed", "chai 500 ml"),
    ("Bình gốm men lam", "handicraft", "ceramics", "chiếc"),
]
QUALIFIERS = [
    "bạc hà",
    "vùng cao",
    "hữu cơ",
    "truyền thống",
    "thủ công",
    "đặc biệt",
    "hoa ban",
    "đá núi",
    "sương mù",
    "H'Mông",
    "Tày",
    "Dao đỏ",
]
PLACES = [
    "Đồng Văn",
    "Mèo Vạc",
    "Yên Minh",
    "Quản Bạ",
    "Bắc Hà",
    "Sa Pa",
    "Mộc Châu",
    "Mù Cang Chải",
    "Trùng Khánh",
    "Na Hang",
]
SENTENCES = [
    "Làm thủ công theo cách truyền thống của đồng bào vùng cao.",
    "Nguyên liệu thu hái theo mùa, đóng gói tại hợp tác xã.",
    "Không chất bảo quản, bảo quản nơi khô ráo, thoáng mát.",
    "Mỗi lô hàng đều ghi rõ ngày sản xuất và nơi làm ra.",
    "Sản phẩm đạt chuẩn OCOP của tỉnh, được người tiêu dùng tin dùng.",
    "Hợp tác xã bao tiêu sản phẩm cho hơn năm mươi hộ dân.",
]
DEMO_IMAGES = ["mat-ong-bac-ha-dong-van", "khan-lanh-det-tay-lung-cu", "hat-de-sang-tung"]
BATCH = 2000


def _places(rng: random.Random, count: int) -> list[tuple[int, int]]:
    pairs = []
    for code, _name in places.provinces():
        pairs += [(code, ward) for ward, _ in places.wards(code)[:5]]
    return [rng.choice(pairs) for _ in range(count)]


def _producers(rng: random.Random, count: int) -> list[Producer]:
    made = []
    for index, (province, ward) in enumerate(_places(rng, count)):
        place = rng.choice(PLACES)
        name = f"HTX {rng.choice(KINDS)[0]} {place} {index + 1}"
        producer = Producer(
            slug=f"bench-{slugify(name)}",
            name=name,
            kind=ProducerKind.COOPERATIVE,
            story="Hợp tác xã sinh ra cho phép đo hiệu năng.",
            province_code=province,
            ward_code=ward,
            historical_address=f"xã {place}",
            status=ProducerStatus.APPROVED,
        )
        db.session.add(producer)
        made.append(producer)
    db.session.flush()
    return made


def seed(total_products: int, rng_seed: int = 2026) -> dict:
    """The demo catalogue, then generated products up to `total_products`. Caller commits."""
    rng = random.Random(rng_seed)
    seed_demo()
    db.session.flush()
    existing = db.session.scalar(select(func.count()).select_from(Product))
    wanted = max(0, total_products - existing)
    producers = _producers(rng, max(10, wanted // 50))
    if db.engine.dialect.name == "postgresql":
        _generate_in_postgres(wanted, [producer.id for producer in producers])
        _give_each_product_its_variant()
        return {"products": db.session.scalar(select(func.count()).select_from(Product))}
    next_id = (db.session.scalar(select(func.max(Product.id))) or 0) + 1
    today = date.today()
    now = utcnow()
    for start in range(0, wanted, BATCH):
        products, images, certificates = [], [], []
        for offset in range(start, min(start + BATCH, wanted)):
            product_id = next_id + offset
            kind, group, subgroup, unit = rng.choice(KINDS)
            producer = rng.choice(producers)
            name = f"{kind} {rng.choice(QUALIFIERS)} {rng.choice(PLACES)} {product_id}"
            description = " ".join(rng.sample(SENTENCES, 3))
            stock = rng.choice([0, 3, 12, 40, 120])
            products.append(
                {
                    "id": product_id,
                    "producer_id": producer.id,
                    "name": name,
                    "slug": f"{slugify(name)}-{product_id}",
                    "group": group,
                    "subgroup": subgroup,
                    "description": description,
                    "unit": unit,
                    "price": rng.randrange(50, 2500) * 1000,
                    "stock_on_hand": stock,
                    "stock_reserved": 0,
                    "low_stock_threshold": 5,
                    "made_to_order": stock == 0 and group == "handicraft",
                    "lead_time_days": 30 if stock == 0 and group == "handicraft" else None,
                    "status": ProductStatus.ACTIVE,
                    "featured": False,
                    "created_at": now - timedelta(minutes=wanted - offset),
                }
            )
            slug = rng.choice(DEMO_IMAGES)
            images.append(
                {
                    "product_id": product_id,
                    "position": 0,
                    "filename": f"demo/{slug}.png",
                    "thumb_filename": f"demo/{slug}-thumb.png",
                    "alt": name,
                    "width": 800,
                    "height": 800,
                }
            )
            if rng.random() < 0.4:
                signed = today - timedelta(days=rng.randrange(30, 900))
                certificates.append(
                    {
                        "product_id": product_id,
                        "number": f"BENCH-{product_id:07d}",
                        "stars": rng.choice([3, 3, 3, 4, 4, 5]),
                        "issuing_authority": "UBND tỉnh (benchmark)",
                        "decision_number": f"{product_id}/QĐ-UBND",
                        "signed_on": signed,
                        "valid_until": Certificate.default_valid_until(signed),
                        "status": CertificateStatus.VERIFIED,
                    }
                )
        db.session.execute(insert(Product), products)
        db.session.execute(insert(ProductImage), images)
        if certificates:
            db.session.execute(insert(Certificate), certificates)
    _give_each_product_its_variant()
    if db.engine.dialect.name == "postgresql":
        # Explicit ids leave the sequence behind; the shop must still be able to insert.
        db.session.execute(
            text("SELECT setval(pg_get_serial_sequence('products', 'id'), max(id)) FROM products")
        )
    return {
        "products": db.session.scalar(select(func.count()).select_from(Product)),
    }


def _give_each_product_its_variant() -> None:
    """Bulk-inserted products skip the ORM that gives every product its first variant
    (catalogue.variants): one statement gives them theirs, as migration 0016 did."""
    db.session.execute(
        text(
            """
            INSERT INTO product_variants (product_id, sku, options, price, stock_on_hand,
              stock_reserved, low_stock_threshold, weight_grams, position, status, created_at)
            SELECT p.id, UPPER(p.slug), '[]', p.price, p.stock_on_hand, p.stock_reserved,
              p.low_stock_threshold, 500, 0, 'active', p.created_at
            FROM products p
            WHERE NOT EXISTS (SELECT 1 FROM product_variants v WHERE v.product_id = p.id)
            """
        )
    )
    db.session.execute(text("UPDATE products SET price_max = price WHERE price_max IS NULL"))


def _generate_in_postgres(wanted: int, producer_ids: list[int]) -> None:
    """The same kind of catalogue, made by PostgreSQL itself (INSERT … SELECT over
    generate_series): 100,000 products in seconds, where building rows in Python took many
    minutes. Its triggers index each product for search as the shop's writes do."""
    params = {
        "wanted": wanted,
        "producers": producer_ids,
        "kinds": [kind[0] for kind in KINDS],
        "groups": [kind[1] for kind in KINDS],
        "subgroups": [kind[2] for kind in KINDS],
        "units": [kind[3] for kind in KINDS],
        "qualifiers": QUALIFIERS,
        "places": PLACES,
        "sentences": SENTENCES,
        "images": DEMO_IMAGES,
    }
    db.session.execute(
        text(
            """
            INSERT INTO products (id, producer_id, name, slug, "group", subgroup, description,
              unit, price, stock_on_hand, stock_reserved, low_stock_threshold, made_to_order,
              lead_time_days, status, featured, created_at)
            SELECT base + g,
              (CAST(:producers AS integer[]))[1 + (g * 7919) % cardinality(CAST(:producers AS integer[]))],
              (CAST(:kinds AS text[]))[1 + k] || ' ' || (CAST(:qualifiers AS text[]))[1 + (g / 7) % cardinality(CAST(:qualifiers AS text[]))]
                || ' ' || (CAST(:places AS text[]))[1 + (g / 3) % cardinality(CAST(:places AS text[]))] || ' ' || (base + g),
              'bench-' || (base + g),
              (CAST(:groups AS text[]))[1 + k], (CAST(:subgroups AS text[]))[1 + k],
              (CAST(:sentences AS text[]))[1 + g % 6] || ' ' || (CAST(:sentences AS text[]))[1 + (g + 2) % 6] || ' '
                || (CAST(:sentences AS text[]))[1 + (g + 4) % 6],
              (CAST(:units AS text[]))[1 + k],
              1000 * (50 + (g * 37) % 2450),
              stock, 0, 5,
              stock = 0 AND (CAST(:groups AS text[]))[1 + k] = 'handicraft',
              CASE WHEN stock = 0 AND (CAST(:groups AS text[]))[1 + k] = 'handicraft' THEN 30 END,
              'active', false,
              now() AT TIME ZONE 'utc' - make_interval(mins => CAST(:wanted AS integer) - g)
            FROM (
              SELECT g, (g * 13) % cardinality(CAST(:kinds AS text[])) AS k,
                (ARRAY[0, 3, 12, 40, 120])[1 + (g * 11) % 5] AS stock,
                (SELECT max(id) FROM products) AS base
              FROM generate_series(1, CAST(:wanted AS integer)) g
            ) rows
            """  # noqa: E501
        ),
        params,
    )
    db.session.execute(
        text(
            """
            INSERT INTO product_images (product_id, position, filename, thumb_filename, alt,
              width, height, created_at)
            SELECT p.id, 0, 'demo/' || img || '.png', 'demo/' || img || '-thumb.png', p.name,
              800, 800, now() AT TIME ZONE 'utc'
            FROM products p
            CROSS JOIN LATERAL (SELECT (CAST(:images AS text[]))[1 + p.id % cardinality(CAST(:images AS text[]))] AS img) i
            WHERE p.slug LIKE 'bench-%'
            """  # noqa: E501
        ),
        params,
    )
    # About 40 % certified, 3 to 5 stars, signed within the last 30 to 900 days.
    db.session.execute(
        text(
            """
            INSERT INTO certificates (product_id, number, stars, issuing_authority,
              decision_number, signed_on, valid_until, status, created_at)
            SELECT id, 'BENCH-' || lpad(id::text, 7, '0'), (ARRAY[3, 3, 3, 4, 4, 5])[1 + id % 6],
              'UBND tỉnh (benchmark)', id || '/QĐ-UBND', signed,
              (signed + interval '36 months')::date, 'verified', now() AT TIME ZONE 'utc'
            FROM (
              SELECT id, current_date - (30 + (id * 17) % 870) AS signed FROM products
              WHERE slug LIKE 'bench-%' AND (id * 7) % 10 < 4
            ) certified
            """
        ),
        params,
    )
    db.session.execute(
        text("SELECT setval(pg_get_serial_sequence('products', 'id'), max(id)) FROM products")
    )
