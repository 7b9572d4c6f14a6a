"""Search: Vietnamese folding (accents, case, đ, NFC/NFD), what is searched, English, ranking.

Runs on SQLite (FTS5) and PostgreSQL (tsvector): the same assertions. Typo tolerance and the
exact-diacritics ranking are PostgreSQL's (pg_trgm, the phrase bonus); FTS5 has neither.
"""

import unicodedata
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from storefront.catalogue.queries import ProductFilters, search_products
from storefront.catalogue.search import parse_query
from storefront.clock import today_vn
from storefront.extensions import db
from storefront.models import ProducerStatus, Product, ProductStatus
from tests.catalogue.factories_catalogue import ProducerFactory, make_product
from tests.conftest import requires_postgres

HONEY = "Mật ong bạc hà Đồng Văn"


def names(q, with_facets=False, **filters):
    page = search_products(ProductFilters(q=q, **filters), today_vn(), with_facets=with_facets)
    by_id = {p.id: p.name for p in db.session.scalars(select(Product))}
    return [by_id[i] for i in page.ids]


@pytest.fixture
def catalogue(app):
    dong_van = ProducerFactory(name="HTX Mật ong Đồng Văn", slug="htx-mat-ong")
    lung_tam = ProducerFactory(
        name="HTX Lanh Lùng Tám",
        slug="htx-lanh",
        province_code=4,  # Cao Bằng: another province than the honey
        ward_code=None,
        historical_address="thôn Sủng Là, huyện Quản Bạ, tỉnh Hà Giang",
    )
    make_product(
        name=HONEY,
        producer=dong_van,
        description="Mật ong thu từ hoa bạc hà trên cao nguyên đá.",
    )
    make_product(
        name="Vải lanh dệt tay",
        producer=lung_tam,
        group="handicraft",
        subgroup="textiles",
        description="Vải lanh của người H'Mông, nhuộm chàm.",
    )
    db.session.commit()


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("mat ong", True),
        ("MẬT ONG", True),
        ("mật ong", True),
        ("Mật Ong", True),
        ("dong van", True),
        ("ĐỒNG VĂN", True),
        ("đồng văn", True),
        ("Dong Van", True),
        (unicodedata.normalize("NFD", "mật ong"), True),
        (unicodedata.normalize("NFD", "ĐỒNG VĂN"), True),
        ("  mật    ong  ", True),
        ("mật-ong", True),
        ("bac ha dong van", True),
        ("ma", True),  # prefix of "mat"
        ("mat ong bac ha dong van", True),
        ("vải lanh", False),
        ("mật lanh", False),  # every word must match
    ],
)
def test_folding_finds_mint_honey(catalogue, query, found):
    assert (HONEY in names(query)) is found


def test_text_stored_in_nfd_is_found_by_nfc_queries(app):
    make_product(name=unicodedata.normalize("NFD", "Chè Shan tuyết cổ thụ"))
    db.session.commit()
    assert names("chè shan tuyết") == [unicodedata.normalize("NFD", "Chè Shan tuyết cổ thụ")]
    assert len(names("CHE SHAN TUYET")) == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("htx mat ong", [HONEY]),  # producer name
        ("tuyen quang", [HONEY]),  # current province of the honey's producer
        ("xa dong van", [HONEY]),  # current commune
        ("cao bang", ["Vải lanh dệt tay"]),
        ("sung la", ["Vải lanh dệt tay"]),  # historical address
        ("nhuom cham", ["Vải lanh dệt tay"]),  # description
        ("hmong", ["Vải lanh dệt tay"]),  # apostrophe joins H'Mông
        ("H'Mông", ["Vải lanh dệt tay"]),
        ("ha giang", [HONEY, "Vải lanh dệt tay"]),  # "hà" is also in the honey's name
    ],
)
def test_searches_name_description_producer_and_place(catalogue, query, expected):
    assert names(query) == expected


def test_search_only_returns_public_products(app):
    make_product(name="Mật ong nháp", status=ProductStatus.DRAFT)
    make_product(name="Mật ong lưu trữ", status=ProductStatus.ARCHIVED)
    hidden = ProducerFactory(status=ProducerStatus.PENDING)
    make_product(name="Mật ong chờ duyệt", producer=hidden)
    make_product(name="Mật ong công khai")
    db.session.commit()
    assert names("mat ong") == ["Mật ong công khai"]


@pytest.fixture
def ranking(app):
    base = datetime(2026, 1, 1)
    # Same folded name "mat ong ..."; created so that newest-first would reverse the ranking.
    make_product(name="Mật ong rừng", description="Ngọt.", created_at=base, slug="mat-ong-rung")
    make_product(
        name="Mát ong thêu",
        description="Hoa văn.",
        created_at=base + timedelta(days=1),
        slug="mat-ong-theu",
    )
    make_product(
        name="Rượu ngô",
        description="Ủ với mật ong rừng.",
        created_at=base + timedelta(days=2),
        slug="ruou-ngo",
    )
    db.session.commit()


@requires_postgres
def test_exact_diacritics_rank_above_folded_and_name_above_description(ranking):
    assert names("mật ong") == ["Mật ong rừng", "Mát ong thêu", "Rượu ngô"]
    assert names("MÁT ONG") == ["Mát ong thêu", "Mật ong rừng", "Rượu ngô"]
    # No diacritics typed: both names tie, newest first; the description match stays last.
    assert names("mat ong") == ["Mát ong thêu", "Mật ong rừng", "Rượu ngô"]


def test_name_match_beats_a_description_match(ranking):
    # "Rượu ngô" has the exact "mật ong rừng" in its description, the other only in its name.
    assert names("mật ong rừng") == ["Mật ong rừng", "Rượu ngô"]


def test_explicit_sort_overrides_relevance(ranking):
    by_newest = names("mat ong", sort="newest")
    assert by_newest == ["Rượu ngô", "Mát ong thêu", "Mật ong rừng"]


def test_renaming_refreshes_the_index(app):
    product = make_product(name="Trà shan tuyết")
    db.session.commit()
    product.name = "Trà hoa vàng"
    db.session.commit()
    assert names("hoa vang") == ["Trà hoa vàng"]
    assert names("shan tuyet") == []


def test_query_words_fold_and_join_apostrophes():
    query = parse_query("Mật ong BẠC-HÀ, Đồng Văn (H'Mông) 500ml")
    assert query.words == ("mat", "ong", "bac", "ha", "dong", "van", "hmong", "500ml")
    assert query.phrase.startswith("mật ong bạc hà")
    assert parse_query(unicodedata.normalize("NFD", "Mật")) == parse_query("Mật")


def test_query_is_bounded():
    huge = "mật ong " * 2000
    assert parse_query(huge).words == ("mat", "ong")  # deduplicated
    many = " ".join(f"w{i}" for i in range(50))
    assert len(parse_query(many).words) == 8
    assert parse_query("!!! ??? ---") is None
    assert parse_query('"mat" OR ong* NEAR(x) & | ! :*').words == ("mat", "or", "ong", "near", "x")


def test_a_renamed_producer_is_found_by_its_new_name(catalogue):
    from storefront.models import Producer

    producer = db.session.scalar(select(Producer).where(Producer.slug == "htx-lanh"))
    producer.name = "HTX Dệt Sủng Là"
    db.session.commit()
    assert names("htx det") == ["Vải lanh dệt tay"]
    assert names("lung tam") == []


def test_english_names_and_descriptions_are_searched(app):
    make_product(name="Mật ong rừng", name_en="Wild forest honey")
    make_product(name="Chè shan", description_en="Tea from ancient trees")
    db.session.commit()
    assert names("honey") == ["Mật ong rừng"]
    assert names("Wild HONEY") == ["Mật ong rừng"]
    assert names("ancient tre") == ["Chè shan"]  # prefix of the last word


def test_facets_count_the_matches(catalogue):
    page = search_products(ProductFilters(q="htx"), today_vn())
    assert page.total == 2
    groups = {code: n for code, _label, n in page.facets.groups}
    assert groups["food"] == 1 and groups["handicraft"] == 1
    page = search_products(ProductFilters(q="htx", group="food"), today_vn())
    assert page.total == 1
    assert {code: n for code, _label, n in page.facets.groups}["handicraft"] == 1


# --- the demo catalogue: what buyers type ----------------------------------------------------


@pytest.fixture
def demo(app):
    from storefront.seed import seed_demo

    seed_demo()
    db.session.commit()


def _linen_names():
    return {
        p.name for p in db.session.scalars(select(Product).where(Product.name.contains("lanh")))
    }


def test_vai_lanh_finds_every_linen_product_of_the_demo(demo):
    linen = _linen_names()
    assert len(linen) == 9
    assert set(names("vải lanh")) == linen
    assert set(names("vai lanh")) == linen


def test_folded_words_find_the_handwoven_linen_scarf(demo):
    assert "Khăn lanh dệt tay Lũng Cú" in names("vai lanh det tay")


def test_english_words_find_the_demo(demo):
    honey = names("honey")
    assert honey and all(name.startswith("Mật ong") for name in honey)
    assert set(names("linen")) == _linen_names()


@requires_postgres
@pytest.mark.parametrize("query", ["matong", "mat ongg", "mật ongg"])
def test_typos_still_find_the_honey(demo, query):
    found = names(query, with_facets=True)
    assert found and found[0].startswith("Mật ong bạc hà")


@requires_postgres
def test_exact_phrase_ranks_first(demo):
    assert names("mật ong bạc hà đồng văn")[0] == "Mật ong bạc hà Đồng Văn"
