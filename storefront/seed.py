"""Demo data: the Đồng Văn OCOP catalogue of the 2022 seed article (shared/seed/).

By the end of 2021 the district had 12 certified OCOP products from 1 enterprise
and 6 cooperatives (3 at 4★, 9 at 3★), and 27 products from 8 entities ranked
at district level: 1 beverage, 18 textile and garment products, 6 raw or
pre-processed foods and 2 processed foods. The article names its groups by the
older Decision 1048 scheme; they are mapped onto Decision 148's groups here.

Certificates last 36 months, so the 2021 ones have lapsed; the demo assumes
the products were re-evaluated in 2025 (one product keeps only its lapsed 2021
certificate, and one has a new certificate awaiting verification).

Everything is idempotent: rows are found by slug, number or email first.
This is demo data: names and figures are plausible, not real listings.
"""

import hashlib
from datetime import date
from io import BytesIO

from flask import current_app
from PIL import Image, ImageDraw
from sqlalchemy import select

from .auth.models import User, UserRole
from .auth.services import find_user_by_email, hash_password
from .catalogue.models import (
    Certificate,
    CertificateStatus,
    Product,
    ProductImage,
    ProductStatus,
    ProductVariant,
    VariantStatus,
)
from .catalogue.ocop import map_legacy_group
from .catalogue.variants import normalise_options
from .extensions import db
from .producers.models import (
    MemberRole,
    Producer,
    ProducerKind,
    ProducerMember,
    ProducerStatus,
    StockMovement,
    StockReason,
)
from .storage import storage

DEMO_NOTE = "Dữ liệu minh hoạ (demo) — không phải sản phẩm thật."
HISTORICAL = "huyện Đồng Văn, tỉnh Hà Giang"
TUYEN_QUANG = 8  # Hà Giang merged into Tuyên Quang on 1 July 2025

DEMO_ACCOUNTS = [
    ("admin@ocop.example", "admin-demo-2026", "admin"),
    ("htx.matong@ocop.example", "htx-demo-2026", "producer"),
    ("khach@ocop.example", "khach-demo-2026", "customer"),
]

# slug, name, kind, ward code (Tuyên Quang, since 2025), former commune, story
PRODUCERS = [
    (
        "htx-mat-ong-bac-ha-dong-van",
        "HTX Mật ong bạc hà Đồng Văn",
        ProducerKind.COOPERATIVE,
        721,
        "thị trấn Đồng Văn",
        "Bốn mươi hộ nuôi ong H'Mông trên cao nguyên đá. Ong lấy mật từ hoa bạc hà dại nở "
        "từ tháng 10 đến tháng 2, nên mỗi năm chỉ có một vụ mật.",
    ),
    (
        "htx-det-lanh-lung-cu",
        "HTX Dệt lanh Lũng Cú",
        ProducerKind.COOPERATIVE,
        715,
        "xã Lũng Cú",
        "Phụ nữ H'Mông trồng lanh, tước sợi, dệt tay và vẽ sáp ong theo cách của bà, "
        "của mẹ. Mỗi tấm vải mất nhiều tuần; hàng được làm theo đơn.",
    ),
    (
        "htx-tho-cam-pho-bang",
        "HTX Thổ cẩm Phố Bảng",
        ProducerKind.COOPERATIVE,
        745,
        "thị trấn Phố Bảng",
        "Khăn, túi và áo thổ cẩm thêu tay của phụ nữ H'Mông, Lô Lô ở Phố Bảng.",
    ),
    (
        "htx-nong-nghiep-sang-tung",
        "HTX Nông nghiệp Sảng Tủng",
        ProducerKind.COOPERATIVE,
        721,
        "xã Sảng Tủng",
        "Tam giác mạch, mận và hạt dẻ trồng trên núi đá, sơ chế tại hợp tác xã.",
    ),
    (
        "htx-det-may-lung-phin",
        "HTX Dệt may Lũng Phìn",
        ProducerKind.COOPERATIVE,
        763,
        "xã Lũng Phìn",
        "Xưởng may nhỏ của hợp tác xã, may áo, váy và túi từ vải lanh địa phương.",
    ),
    (
        "htx-thuc-pham-sung-la",
        "HTX Thực phẩm Sủng Là",
        ProducerKind.COOPERATIVE,
        733,
        "xã Sủng Là",
        "Thịt bò vàng gác bếp và bánh tam giác mạch làm theo công thức của người Lô Lô.",
    ),
    (
        "cong-ty-ruou-ngo-pho-cao",
        "Công ty TNHH Rượu ngô Phố Cáo",
        ProducerKind.ENTERPRISE,
        721,
        "xã Phố Cáo",
        "Rượu ngô men lá nấu thủ công, ủ trong chum sành.",
    ),
    (
        "to-hop-tac-tho-cam-sa-phin",
        "Tổ hợp tác Thổ cẩm Sà Phìn",
        ProducerKind.COOPERATIVE_GROUP,
        733,
        "xã Sà Phìn",
        "Nhóm phụ nữ thêu thổ cẩm tại nhà, bán theo mùa du lịch.",
    ),
]

# Old-scheme group names, as the article writes them.
TEXTILES = "nhóm vải may mặc"
RAW = "nhóm thực phẩm thô, sơ chế"
PROCESSED = "nhóm thực phẩm chế biến"
BEVERAGE = "nhóm đồ uống"

# (slug, name, producer slug, legacy group, unit, price, stock, made-to-order lead days,
#  season, certificate: None | (stars, authority, signed, "verified"/"pending"))
S4 = (4, "UBND tỉnh Hà Giang", date(2025, 3, 14), "verified")
S3 = (3, "UBND huyện Đồng Văn", date(2025, 5, 20), "verified")
LAPSED = (3, "UBND huyện Đồng Văn", date(2021, 12, 20), "verified")
PENDING = (3, "UBND tỉnh Tuyên Quang", date(2026, 9, 15), "pending")
HONEY = "htx-mat-ong-bac-ha-dong-van"
LINEN = "htx-det-lanh-lung-cu"
PHO_BANG = "htx-tho-cam-pho-bang"
SANG_TUNG = "htx-nong-nghiep-sang-tung"
LUNG_PHIN = "htx-det-may-lung-phin"
SUNG_LA = "htx-thuc-pham-sung-la"
WINE = "cong-ty-ruou-ngo-pho-cao"
SA_PHIN = "to-hop-tac-tho-cam-sa-phin"

# fmt: off
PRODUCTS = [
    # 6 raw or pre-processed foods
    ('mat-ong-bac-ha-dong-van', 'Mật ong bạc hà Đồng Văn', HONEY, RAW, 'hũ 500 ml', 350_000, 40, None, (10, 2), S4),
    ('mat-ong-bac-ha-250ml', 'Mật ong bạc hà hũ 250 ml', HONEY, RAW, 'hũ 250 ml', 190_000, 60, None, (10, 2), S3),
    ('mat-ong-bac-ha-1-lit', 'Mật ong bạc hà chai 1 lít', HONEY, RAW, 'chai 1 lít', 650_000, 12, None, (10, 2), LAPSED),
    ('hat-de-sang-tung', 'Hạt dẻ Sảng Tủng', SANG_TUNG, RAW, 'túi 1 kg', 120_000, 80, None, (8, 10), S3),
    ('bot-tam-giac-mach', 'Bột tam giác mạch', SANG_TUNG, RAW, 'túi 500 g', 85_000, 50, None, None, None),
    ('man-tam-hoa-say', 'Mận tam hoa sấy dẻo', SANG_TUNG, RAW, 'hộp 300 g', 95_000, 4, None, (5, 7), None),
    # 2 processed foods
    ('thit-bo-gac-bep-sung-la', 'Thịt bò gác bếp Sủng Là', SUNG_LA, PROCESSED, 'gói 500 g', 480_000, 25, None, None, S3),
    ('banh-tam-giac-mach', 'Bánh tam giác mạch', SUNG_LA, PROCESSED, 'hộp 10 bánh', 70_000, 30, None, (10, 12), S3),
    # 1 beverage
    ('ruou-ngo-pho-cao', 'Rượu ngô Phố Cáo', WINE, BEVERAGE, 'chai 500 ml', 150_000, 45, None, None, S3),
    # 18 textile and garment products
    ('khan-lanh-det-tay-lung-cu', 'Khăn lanh dệt tay Lũng Cú', LINEN, TEXTILES, 'khăn 180 × 60 cm', 450_000, 15, None, None, S4),
    ('vai-lanh-sap-ong', 'Vải lanh vẽ sáp ong', LINEN, TEXTILES, 'tấm 5 m', 1_800_000, 0, 45, None, S4),
    ('vay-lanh-hmong', "Váy lanh H'Mông", LINEN, TEXTILES, 'chiếc', 2_400_000, 0, 60, None, S3),
    ('tui-lanh-theu-tay', 'Túi lanh thêu tay', LINEN, TEXTILES, 'chiếc 30 × 35 cm', 320_000, 18, None, None, None),
    ('khan-choang-lanh-nhuom-cham', 'Khăn choàng lanh nhuộm chàm', LINEN, TEXTILES, 'khăn 200 × 70 cm', 520_000, 9, None, None, None),
    ('khan-tho-cam-pho-bang', 'Khăn thổ cẩm Phố Bảng', PHO_BANG, TEXTILES, 'khăn 160 × 40 cm', 260_000, 22, None, None, S3),
    ('tui-tho-cam-pho-bang', 'Túi thổ cẩm Phố Bảng', PHO_BANG, TEXTILES, 'chiếc', 280_000, 16, None, None, S3),
    ('ao-tho-cam-lo-lo', 'Áo thổ cẩm Lô Lô', PHO_BANG, TEXTILES, 'chiếc', 1_200_000, 0, 30, None, None),
    ('vi-tho-cam', 'Ví thổ cẩm', PHO_BANG, TEXTILES, 'chiếc', 120_000, 35, None, None, None),
    ('dem-ngoi-tho-cam', 'Đệm ngồi thổ cẩm', PHO_BANG, TEXTILES, 'chiếc 45 × 45 cm', 210_000, 3, None, None, None),
    ('ao-lanh-nam', 'Áo lanh nam', LUNG_PHIN, TEXTILES, 'chiếc', 890_000, 7, None, None, S3),
    ('vay-lanh-cach-tan', 'Váy lanh cách tân', LUNG_PHIN, TEXTILES, 'chiếc', 1_150_000, 5, None, None, None),
    ('tui-deo-cheo-lanh', 'Túi đeo chéo vải lanh', LUNG_PHIN, TEXTILES, 'chiếc', 350_000, 14, None, None, None),
    ('khau-trang-lanh', 'Khẩu trang vải lanh', LUNG_PHIN, TEXTILES, 'gói 3 chiếc', 90_000, 60, None, None, None),
    ('khan-theu-sa-phin', 'Khăn thêu Sà Phìn', SA_PHIN, TEXTILES, 'khăn 150 × 35 cm', 180_000, 20, None, None, PENDING),
    ('tui-theu-sa-phin', 'Túi thêu Sà Phìn', SA_PHIN, TEXTILES, 'chiếc', 150_000, 12, None, None, None),
    ('mu-theu-tre-em', 'Mũ thêu trẻ em', SA_PHIN, TEXTILES, 'chiếc', 110_000, 10, None, None, None),
    ('day-deo-dia-tho-cam', 'Dây đeo địu thổ cẩm', SA_PHIN, TEXTILES, 'chiếc', 240_000, 6, None, None, None),
]
# fmt: on
# The article's certified 12 are the rows with S4 (3) and S3 (9).

# Products sold in several forms (issue 16): (options, SKU, price, stock, weight in grams).
# Each product's stock adds up to its row above; the honey jars stay separate products
# because each holds its own certificate.
VARIANTS = {
    "ao-lanh-nam": [
        ({"size": "S"}, "AO-LANH-NAM-S", 890_000, 2, 250),
        ({"size": "M"}, "AO-LANH-NAM-M", 890_000, 2, 260),
        ({"size": "L"}, "AO-LANH-NAM-L", 890_000, 2, 280),
        ({"size": "XL"}, "AO-LANH-NAM-XL", 890_000, 1, 300),
    ],
    "khan-tho-cam-pho-bang": [
        ({"colour": "chàm"}, "KHAN-THO-CAM-CHAM", 260_000, 8, 150),
        ({"colour": "đỏ"}, "KHAN-THO-CAM-DO", 260_000, 7, 150),
        ({"colour": "xanh lá"}, "KHAN-THO-CAM-XANH", 260_000, 7, 150),
    ],
    "hat-de-sang-tung": [
        ({"weight": "500 g"}, "HAT-DE-500G", 65_000, 30, 520),
        ({"weight": "1 kg"}, "HAT-DE-1KG", 120_000, 35, 1_030),
        ({"weight": "2 kg"}, "HAT-DE-2KG", 230_000, 15, 2_050),
    ],
}
# Featured on the home page, in this order (all hold a verified, valid certificate).
FEATURED = [
    "mat-ong-bac-ha-dong-van",
    "khan-lanh-det-tay-lung-cu",
    "vai-lanh-sap-ong",
    "hat-de-sang-tung",
]

# English names (products and producers) and the English text of each legacy group's
# description, shown in the English interface and searched in both languages.
PRODUCER_NAMES_EN = {
    HONEY: "Dong Van Mint Honey Cooperative",
    LINEN: "Lung Cu Linen Weaving Cooperative",
    PHO_BANG: "Pho Bang Brocade Cooperative",
    SANG_TUNG: "Sang Tung Farming Cooperative",
    LUNG_PHIN: "Lung Phin Garment Cooperative",
    SUNG_LA: "Sung La Food Cooperative",
    WINE: "Pho Cao Corn Wine Company",
    SA_PHIN: "Sa Phin Brocade Group",
}
PRODUCER_STORIES_EN = {
    HONEY: "Forty H'Mong families keep bees on the stone plateau. The bees feed on wild mint "
    "flowers from October to February, so there is one honey harvest a year.",
    LINEN: "H'Mong women grow flax, strip the fibre, weave by hand and draw beeswax patterns "
    "as their mothers did. Each cloth takes weeks; pieces are made to order.",
    PHO_BANG: "Hand-embroidered brocade scarves, bags and shirts by H'Mong and Lo Lo women.",
    SANG_TUNG: "Buckwheat, plums and chestnuts grown among the rocks, prepared at the cooperative.",
    LUNG_PHIN: "The cooperative's small workshop sews shirts, skirts and bags of local linen.",
    SUNG_LA: "Smoked golden beef and buckwheat cakes made to the Lo Lo people's recipes.",
    WINE: "Corn wine brewed by hand with leaf yeast and aged in stoneware jars.",
    SA_PHIN: "Women embroidering brocade at home, sold in the tourist season.",
}
PRODUCT_NAMES_EN = {
    "mat-ong-bac-ha-dong-van": "Dong Van mint honey",
    "mat-ong-bac-ha-250ml": "Mint honey, 250 ml jar",
    "mat-ong-bac-ha-1-lit": "Mint honey, 1 litre bottle",
    "hat-de-sang-tung": "Sang Tung chestnuts",
    "bot-tam-giac-mach": "Buckwheat flour",
    "man-tam-hoa-say": "Soft dried Tam Hoa plums",
    "thit-bo-gac-bep-sung-la": "Sung La smoked beef",
    "banh-tam-giac-mach": "Buckwheat cakes",
    "ruou-ngo-pho-cao": "Pho Cao corn wine",
    "khan-lanh-det-tay-lung-cu": "Lung Cu hand-woven linen scarf",
    "vai-lanh-sap-ong": "Linen cloth with beeswax batik",
    "vay-lanh-hmong": "H'Mong linen skirt",
    "tui-lanh-theu-tay": "Hand-embroidered linen bag",
    "khan-choang-lanh-nhuom-cham": "Indigo-dyed linen shawl",
    "khan-tho-cam-pho-bang": "Pho Bang brocade scarf",
    "tui-tho-cam-pho-bang": "Pho Bang brocade bag",
    "ao-tho-cam-lo-lo": "Lo Lo brocade shirt",
    "vi-tho-cam": "Brocade wallet",
    "dem-ngoi-tho-cam": "Brocade seat cushion",
    "ao-lanh-nam": "Men's linen shirt",
    "vay-lanh-cach-tan": "Modern linen skirt",
    "tui-deo-cheo-lanh": "Linen cross-body bag",
    "khau-trang-lanh": "Linen face masks",
    "khan-theu-sa-phin": "Sa Phin embroidered scarf",
    "tui-theu-sa-phin": "Sa Phin embroidered bag",
    "mu-theu-tre-em": "Embroidered children's hat",
    "day-deo-dia-tho-cam": "Brocade baby carrier strap",
}
DEMO_NOTE_EN = "Demo data: not a real product."

DESCRIPTIONS_EN = {
    RAW: "Raw or lightly prepared on the Dong Van stone plateau. Packed at the cooperative.",
    PROCESSED: "Made by hand to a traditional recipe, without preservatives.",
    BEVERAGE: "A traditional highland drink, brewed and aged by hand.",
    TEXTILES: "Woven, embroidered and sewn by hand by H'Mong and Lo Lo women.",
}

DESCRIPTIONS = {
    RAW: "Sản phẩm thô, sơ chế từ cao nguyên đá Đồng Văn. Đóng gói tại hợp tác xã.",
    PROCESSED: "Chế biến thủ công theo công thức truyền thống, không chất bảo quản.",
    BEVERAGE: "Đồ uống truyền thống của vùng cao, nấu và ủ thủ công.",
    TEXTILES: "Dệt, thêu và may thủ công bởi phụ nữ dân tộc H'Mông và Lô Lô.",
}
COLOURS = {
    RAW: ((246, 201, 69), (184, 120, 20)),
    PROCESSED: ((160, 82, 45), (90, 40, 20)),
    BEVERAGE: ((230, 224, 200), (120, 110, 80)),
    TEXTILES: ((40, 60, 120), (180, 50, 40)),
}


def seed_demo() -> int:
    """Create what is missing; return how many rows were added."""
    added = 0
    producers = {}
    for slug, name, kind, ward, former, story in PRODUCERS:
        producer = db.session.scalar(select(Producer).where(Producer.slug == slug))
        if producer is None:
            producer = Producer(
                slug=slug,
                name=name,
                kind=kind,
                story=f"{story}\n\n{DEMO_NOTE}",
                province_code=TUYEN_QUANG,
                ward_code=ward,
                historical_address=f"{former}, {HISTORICAL}",
                status=ProducerStatus.APPROVED,
                contact_email=f"{slug}@ocop.example",
                contact_phone="0219 3856 000",
            )
            db.session.add(producer)
            added += 1
        if producer.name_en is None:
            producer.name_en = PRODUCER_NAMES_EN[slug]
            producer.story_en = f"{PRODUCER_STORIES_EN[slug]}\n\n{DEMO_NOTE_EN}"
        producers[slug] = producer
    db.session.flush()

    for position, row in enumerate(PRODUCTS):
        slug, name, producer_slug, legacy, unit, price, stock, lead, season, cert = row
        product = db.session.scalar(select(Product).where(Product.slug == slug))
        if product is None:
            product = _make_product(position, row, producers[producer_slug])
            added += 1 + len(product.images)
        if product.name_en is None:
            # Demo databases made before the English columns get them too.
            product.name_en = PRODUCT_NAMES_EN[slug]
            product.description_en = f"{DESCRIPTIONS_EN[legacy]}\n\n{DEMO_NOTE_EN}"
        if cert and not product.certificates:
            _certify(product, position, cert)
            added += 1
            if slug in FEATURED:
                product.featured, product.featured_position = True, FEATURED.index(slug) + 1
    added += _seed_accounts(producers[HONEY])
    added += _seed_vouchers(producers[HONEY])
    added += _seed_reviews()
    return added


def _seed_vouchers(honey_producer: Producer) -> int:
    """The demo's two vouchers (README): the shop's OCOP10 and the honey cooperative's
    MATONG20K, running through 2027 in Vietnam's time, without a use limit."""
    from datetime import datetime

    from .promotions.models import Voucher, VoucherKind, VoucherScope
    from .promotions.services import vn_to_utc

    demo = (
        ("OCOP10", None, VoucherKind.PERCENT, {"percent": 10, "max_discount": 50_000}, 200_000),
        ("MATONG20K", honey_producer.id, VoucherKind.FIXED, {"amount": 20_000}, 300_000),
    )
    added = 0
    for code, producer_id, kind, amounts, min_order in demo:
        if db.session.scalar(select(Voucher.id).where(Voucher.code == code)) is not None:
            continue
        db.session.add(
            Voucher(
                code=code,
                producer_id=producer_id,
                kind=kind,
                min_order=min_order,
                scope=VoucherScope.SHOP,
                starts_at=vn_to_utc(datetime(2026, 1, 1)),
                ends_at=vn_to_utc(datetime(2028, 1, 1)),
                total_uses=None,
                per_buyer=None,
                uses=0,
                show_on_product=True,
                **amounts,
            )
        )
        added += 1
    db.session.flush()
    return added


def _make_product(position: int, row, producer: Producer) -> Product:
    slug, name, _producer_slug, legacy, unit, price, stock, lead, season, _cert = row
    group, subgroup = map_legacy_group(legacy)
    product = Product(
        slug=slug,
        name=name,
        producer=producer,
        group=group,
        subgroup=subgroup,
        description=f"{DESCRIPTIONS[legacy]}\n\n{DEMO_NOTE}",
        unit=unit,
        price=price,
        stock_on_hand=stock,
        low_stock_threshold=5,
        made_to_order=lead is not None,
        lead_time_days=lead,
        season_start_month=season[0] if season else None,
        season_end_month=season[1] if season else None,
        status=ProductStatus.ACTIVE,
    )
    forms = VARIANTS.get(slug)
    if forms:
        product.variants = [
            ProductVariant(
                sku=sku,
                options=normalise_options(options),
                price=variant_price,
                stock_on_hand=variant_stock,
                stock_reserved=0,
                low_stock_threshold=2,
                weight_grams=weight,
                position=index,
                status=VariantStatus.ACTIVE,
            )
            for index, (options, sku, variant_price, variant_stock, weight) in enumerate(forms)
        ]
        product.price = min(form[2] for form in forms)
        product.price_max = max(form[2] for form in forms)
        product.stock_on_hand = sum(form[3] for form in forms)
    db.session.add(product)
    db.session.flush()  # a product without forms gets its only variant here
    for variant in product.variants:
        if variant.stock_on_hand:
            db.session.add(
                StockMovement(
                    product_id=product.id,
                    variant_id=variant.id,
                    reason=StockReason.INITIAL,
                    delta_on_hand=variant.stock_on_hand,
                    note="demo",
                )
            )
    filename, thumb = _demo_image(slug, name, legacy)
    product.images.append(
        ProductImage(
            position=0, filename=filename, thumb_filename=thumb, alt=name, width=800, height=800
        )
    )
    return product


def _certify(product: Product, position: int, cert) -> None:
    stars, authority, signed_on, status = cert
    certificate = Certificate(
        product=product,
        number=f"OCOP-HG-{signed_on.year}-{position + 1:03d}",
        stars=stars,
        issuing_authority=authority,
        decision_number=f"{1200 + position}/QĐ-UBND",
        signed_on=signed_on,
        valid_until=Certificate.default_valid_until(signed_on),
        status=CertificateStatus.VERIFIED if status == "verified" else CertificateStatus.PENDING,
    )
    # Every demo certificate has a (drawn) scan, as a real submission would: an admin can
    # only verify a certificate whose scan is attached.
    certificate.scan_filename = _demo_scan(certificate.number, stars)
    db.session.add(certificate)


def _demo_scan(number: str, stars: int) -> str:
    store = storage()
    name = f"demo/scan-{number.lower()}.png"
    if not store.exists(name):
        image = Image.new("RGB", (600, 840), "#fffdf5")
        draw = ImageDraw.Draw(image)
        draw.rectangle((20, 20, 580, 820), outline="#a33", width=6)
        draw.text((60, 80), "GIAY CHUNG NHAN OCOP (DEMO)", fill="#a33")
        draw.text((60, 140), number, fill="#333")
        draw.text((60, 200), "*" * stars, fill="#c90")
        store.save(name, _png(image), "image/png")
    return name


def _seed_accounts(honey_producer: Producer) -> int:
    added = 0
    names = {"admin": "Quản trị viên", "producer": "Giàng Thị Hoa", "customer": "Nguyễn Thu Hà"}
    for email, password, role in DEMO_ACCOUNTS:
        if find_user_by_email(email) is not None:
            continue
        user = User(
            email=email,
            password_hash=hash_password(password),
            name=names[role],
            role=UserRole(role),
        )
        db.session.add(user)
        added += 1
        if role == "producer":
            db.session.add(
                ProducerMember(producer=honey_producer, user=user, role=MemberRole.OWNER)
            )
            added += 1
    db.session.flush()
    return added


def _demo_image(slug: str, name: str, legacy: str) -> tuple[str, str]:
    """Draw a simple product picture locally: no downloads, deterministic per slug."""
    store = storage()
    filename, thumb = f"demo/{slug}.png", f"demo/{slug}-thumb.png"
    if store.exists(filename) and store.exists(thumb):
        return filename, thumb
    background, accent = COLOURS[legacy]
    seed = int(hashlib.sha256(slug.encode()).hexdigest()[:8], 16)
    image = Image.new("RGB", (800, 800), background)
    draw = ImageDraw.Draw(image)
    for i in range(6):
        offset = (seed >> (i * 4)) % 160
        draw.ellipse(
            (80 + offset + i * 60, 120 + i * 70, 380 + offset + i * 60, 420 + i * 70),
            outline=accent,
            width=10,
        )
    draw.rectangle((0, 660, 800, 800), fill=accent)
    store.save(filename, _png(image), "image/png")
    store.save(thumb, _png(image.resize((320, 320))), "image/png")
    return filename, thumb


def _png(image) -> bytes:
    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


# Demo buyers with delivered orders and a few verified reviews. khach@ocop.example has a
# delivered order whose two lines are not reviewed yet, so the demo (and the browser
# journeys, on a phone and on a desktop) can show a buyer writing one.
DEMO_ORDER_NOTE = "Đơn hàng minh hoạ (demo)."
DEMO_REVIEWERS = {
    "lan@ocop.example": "Trần Thị Lan",
    "minh@ocop.example": "Lê Văn Minh",
}
DEMO_ORDERS = [
    # buyer, [(product slug, quantity)], {slug: (stars, text, cooperative's reply or None)}
    (
        "khach@ocop.example",
        [("mat-ong-bac-ha-250ml", 1), ("hat-de-sang-tung", 1, "HAT-DE-1KG")],
        {},
    ),
    (
        "lan@ocop.example",
        [
            ("mat-ong-bac-ha-250ml", 2),
            ("ruou-ngo-pho-cao", 1),
            ("hat-de-sang-tung", 2, "HAT-DE-500G"),
        ],
        {
            "mat-ong-bac-ha-250ml": (
                5,
                "Mật ong thơm mùi bạc hà, sánh, đóng gói cẩn thận. (Đánh giá demo)",
                "Cảm ơn chị Lan đã tin dùng mật ong của hợp tác xã!",
            ),
            "ruou-ngo-pho-cao": (4, "Rượu êm, thơm mùi ngô. (Đánh giá demo)", None),
            "hat-de-sang-tung": (4, "Hạt dẻ bùi, thơm; vài hạt nhỏ. (Đánh giá demo)", None),
        },
    ),
    (
        "minh@ocop.example",
        [("mat-ong-bac-ha-250ml", 1), ("khan-tho-cam-pho-bang", 1, "KHAN-THO-CAM-CHAM")],
        {
            "mat-ong-bac-ha-250ml": (4, "Ngon, giao hàng hơi chậm. (Đánh giá demo)", None),
            "khan-tho-cam-pho-bang": (5, "Hoa văn đẹp, dệt rất kỹ. (Đánh giá demo)", None),
        },
    ),
]


def _seed_reviews() -> int:
    """Delivered demo orders placed through the real checkout and fulfilment steps (stock,
    ledger and timeline stay consistent), then the buyers' reviews. Skipped per buyer once
    their demo order exists."""
    import secrets

    from .cart import services as cart_services
    from .orders import routing
    from .orders.checkout import CheckoutDetails, OrderSettings, place_order
    from .orders.models import Order, PaymentMethod
    from .reviews import services as reviews

    added = 0
    for email, name in DEMO_REVIEWERS.items():
        if find_user_by_email(email) is None:
            # No password anyone knows: these accounts only author the demo reviews.
            db.session.add(
                User(
                    email=email,
                    password_hash=hash_password(secrets.token_urlsafe(24)),
                    name=name,
                    role=UserRole.CUSTOMER,
                )
            )
            added += 1
    db.session.flush()
    settings = OrderSettings.from_config(current_app.config)
    for email, items, written in DEMO_ORDERS:
        buyer = find_user_by_email(email)
        done = db.session.scalar(
            select(Order.id).where(Order.user_id == buyer.id, Order.note == DEMO_ORDER_NOTE)
        )
        if done is not None:
            continue
        cart = cart_services.get_or_create_user_cart(db.session, buyer)
        for slug, quantity, *sku in items:
            product = db.session.scalar(select(Product).where(Product.slug == slug))
            variant = product.variant_by_sku(sku[0]) if sku else product.active_variants[0]
            cart_services.add_item(db.session, cart, product.id, quantity, variant_id=variant.id)
        order = place_order(
            db.session,
            cart,
            CheckoutDetails(
                name=buyer.name,
                phone="0912 345 678",
                email=buyer.email,
                province_code=TUYEN_QUANG,
                ward_code=721,
                street="Thôn Lũng Cẩm",
                note=DEMO_ORDER_NOTE,
                payment_method=PaymentMethod.COD,
                locale="vi",
            ),
            user=buyer,
            settings=settings,
        )
        for sub_order in order.sub_orders:
            routing.confirm(db.session, sub_order, None)
            routing.pack(db.session, sub_order, None)
            routing.ship(db.session, sub_order, None, "VNPost", f"DEMO{order.id:05d}")
            routing.deliver(db.session, sub_order, None, cash_received=True)
        added += 1
        for line in order.lines:
            if line.product_slug not in written:
                continue
            stars, text, reply = written[line.product_slug]
            review = reviews.post_review(
                db.session, line, buyer, stars, text, [], reviews.ReviewSettings(1)
            )
            added += 1
            if reply:
                review.reply, review.replied_at = reply, review.created_at
    db.session.flush()
    return added
