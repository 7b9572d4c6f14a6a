"""Product search: one small interface, two backends, each the database's own full-text search.

- PostgreSQL (production): a weighted `tsvector` column on `products` (name A; producer, place
  and OCOP group B; description C, each in Vietnamese and English), kept by a trigger, with
  `unaccent` folding (đ→d, no diacritics) in an IMMUTABLE wrapper, a GIN index, prefix match on
  the last word, and `pg_trgm` word similarity on the names when no word matches ("matong",
  "mat ongg"). Ranking: ts_rank, then whole-phrase and exact-diacritic matches in the name.
- SQLite (the embedded default for `make run` and quick tests): an FTS5 table
  (`unicode61 remove_diacritics 2`, đ replaced in the triggers) kept by triggers, ranked by
  bm25 with the same column weights. FTS5 has no similarity search: typo tolerance is
  PostgreSQL-only.

As Wagtail's database search backends do, the rest of the app sees only `get_backend()` and
its three methods; the objects each backend owns (columns, functions, triggers, indexes, the
FTS5 table) are created with the tables (`install`) and by migration 0002, and left out of
the migration-drift comparison (`is_search_object`).
"""

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    Table,
    Text,
    case,
    event,
    func,
    literal_column,
    select,
)

from ..text import fold
from .models import Product

MAX_QUERY_CHARS = 200
MAX_TERMS = 8
TERM_CHARS = 64

_APOSTROPHES = re.compile(r"['’ʼ]")
_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+")
_NOT_FOLDED_CHAR = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class SearchQuery:
    words: tuple[str, ...]  # folded (a-z, 0-9), distinct, at most MAX_TERMS
    phrase: str  # the words as typed, NFC lower-case, joined by one space

    @property
    def folded_phrase(self) -> str:
        return " ".join(self.words)


def parse_query(q: str | None) -> SearchQuery | None:
    """The search words of `q` (its first MAX_QUERY_CHARS), or None when it has none.

    NFC first, so NFC and NFD input give the same words; apostrophes join ("H'Mông" is
    "hmong", as the index folds it).
    """
    if not q:
        return None
    normalized = unicodedata.normalize("NFC", _APOSTROPHES.sub("", q[:MAX_QUERY_CHARS])).lower()
    raw: list[str] = []
    folded: list[str] = []
    for match in _WORD.finditer(normalized):
        word = _NOT_FOLDED_CHAR.sub("", fold(match.group()))[:TERM_CHARS]
        if word and word not in folded:
            folded.append(word)
            raw.append(match.group()[:TERM_CHARS])
    if not folded:
        return None
    return SearchQuery(tuple(folded[:MAX_TERMS]), " ".join(raw[:MAX_TERMS]))


def _last_is_prefix(query: SearchQuery) -> bool:
    # Alone, a one-letter prefix would match most of the catalogue; after other words it is
    # what someone typing "mat o" means.
    return len(query.words[-1]) >= 2 or len(query.words) > 1


# Words for each OCOP group and subgroup, in both languages (part of weight B), so "vải lanh"
# finds every linen product and "honey" the honey whatever their names say.
GROUP_WORDS = {
    "food": "thực phẩm food",
    "beverage": "đồ uống beverages drinks",
    "herbal": "thảo dược medicinal herbs",
    "handicraft": "thủ công mỹ nghệ handicrafts",
    "ornamental": "sinh vật cảnh ornamental",
    "tourism": "du lịch cộng đồng community tourism",
}
SUBGROUP_WORDS = {
    "fresh": "tươi fresh",
    "raw_preprocessed": "thô sơ chế raw",
    "processed": "chế biến processed",
    "alcoholic": "rượu alcoholic",
    "non_alcoholic": "trà teas",
    "herbal_products": "thảo dược herbal",
    "textiles": "vải dệt may thêu textiles fabric garments embroidery",
    "wood": "gỗ wood",
    "natural_fibre": "mây tre natural fibre",
    "metal": "kim loại metal",
    "ceramics": "gốm ceramics",
    "plants": "cây cảnh plants",
    "animals": "con vật cảnh animals",
    "community": "du lịch sinh thái eco tourism",
}


def _sql_case(column: str, words: dict[str, str]) -> str:
    whens = " ".join(f"WHEN '{code}' THEN '{text}'" for code, text in words.items())
    return f"CASE {column} {whens} ELSE '' END"


# --- PostgreSQL ------------------------------------------------------------------------------

POSTGRES_DDL = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # unaccent() is STABLE (it reads a dictionary by name); pinned to the dictionary, the
    # wrapper is IMMUTABLE, so index expressions may use it.
    """CREATE OR REPLACE FUNCTION storefront_fold(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN lower(translate(
      public.unaccent('public.unaccent'::regdictionary, value), '''’ʼ', ''))""",
    """CREATE OR REPLACE FUNCTION storefront_name_words(name text, name_en text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN storefront_fold(coalesce(name, '') || ' ' || coalesce(name_en, ''))""",
    # The names again without spaces, for typos that join words ("matong").
    """CREATE OR REPLACE FUNCTION storefront_fuzzy_words(name text, name_en text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN storefront_name_words(name, name_en) || ' '
      || replace(storefront_name_words(name, name_en), ' ', '')""",
    f"""CREATE OR REPLACE FUNCTION storefront_group_words(grp text, sub text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN {_sql_case("grp", GROUP_WORDS)} || ' ' || {_sql_case("sub", SUBGROUP_WORDS)}""",
    """CREATE OR REPLACE FUNCTION storefront_product_search_vector() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      NEW.search_vector :=
        setweight(to_tsvector('simple', storefront_name_words(NEW.name, NEW.name_en)), 'A')
        || setweight(to_tsvector('simple', storefront_fold(concat_ws(' ',
             (SELECT concat_ws(' ', p.name, p.name_en, p.search_text, p.historical_address)
                FROM producers p WHERE p.id = NEW.producer_id),
             storefront_group_words(NEW."group", NEW.subgroup)))), 'B')
        || setweight(to_tsvector('simple', storefront_fold(
             concat_ws(' ', NEW.description, NEW.description_en))), 'C');
      RETURN NEW;
    END $$""",
    """CREATE OR REPLACE FUNCTION storefront_producer_search_vector() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      -- Re-runs the products trigger for the producer's products.
      UPDATE products SET producer_id = producer_id WHERE producer_id = NEW.id;
      RETURN NULL;
    END $$""",
    "ALTER TABLE products ADD COLUMN IF NOT EXISTS search_vector tsvector",
    """CREATE OR REPLACE TRIGGER products_search_vector
    BEFORE INSERT OR UPDATE OF name, name_en, description, description_en, "group", subgroup,
      producer_id
    ON products FOR EACH ROW EXECUTE FUNCTION storefront_product_search_vector()""",
    """CREATE OR REPLACE TRIGGER producers_search_vector
    AFTER UPDATE OF name, name_en, search_text, historical_address ON producers
    FOR EACH ROW WHEN (
      OLD.name IS DISTINCT FROM NEW.name OR OLD.name_en IS DISTINCT FROM NEW.name_en
      OR OLD.search_text IS DISTINCT FROM NEW.search_text
      OR OLD.historical_address IS DISTINCT FROM NEW.historical_address)
    EXECUTE FUNCTION storefront_producer_search_vector()""",
    "CREATE INDEX IF NOT EXISTS ix_products_search_vector ON products USING gin (search_vector)",
    """CREATE INDEX IF NOT EXISTS ix_products_name_trgm ON products
    USING gin (storefront_fuzzy_words(name, name_en) gin_trgm_ops)""",
]

POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS producers_search_vector ON producers",
    "DROP TRIGGER IF EXISTS products_search_vector ON products",
    "DROP INDEX IF EXISTS ix_products_name_trgm",
    "DROP INDEX IF EXISTS ix_products_search_vector",
    "ALTER TABLE products DROP COLUMN IF EXISTS search_vector",
    "DROP FUNCTION IF EXISTS storefront_producer_search_vector()",
    "DROP FUNCTION IF EXISTS storefront_product_search_vector()",
    "DROP FUNCTION IF EXISTS storefront_group_words(text, text)",
    "DROP FUNCTION IF EXISTS storefront_fuzzy_words(text, text)",
    "DROP FUNCTION IF EXISTS storefront_name_words(text, text)",
    "DROP FUNCTION IF EXISTS storefront_fold(text)",
]

# Weights of D, C, B, A (PostgreSQL's order): a name word counts ten times a description word.
_PG_WEIGHTS = "{0.05, 0.1, 0.4, 1.0}"


class PostgresSearch:
    typo_tolerant = True

    def _tsquery(self, query: SearchQuery):
        words = list(query.words)
        last = words[-1] + (":*" if _last_is_prefix(query) else "")
        # Words are a-z and 0-9 only (parse_query), so they cannot carry tsquery syntax.
        tsquery = " & ".join([*words[:-1], last])
        return func.to_tsquery(literal_column("'simple'::regconfig"), tsquery)

    def _phrase(self, query: SearchQuery):
        words = [f"{word}:A" for word in query.words]
        if _last_is_prefix(query):
            words[-1] = f"{query.words[-1]}:*A"
        return func.to_tsquery(literal_column("'simple'::regconfig"), " <-> ".join(words))

    def _fuzzy_words(self):
        return func.storefront_fuzzy_words(Product.name, Product.name_en)

    def condition(self, query: SearchQuery, fuzzy: bool = False):
        if fuzzy:
            # `words %> query`: word_similarity(query, words) of at least
            # pg_trgm.word_similarity_threshold (0.6), through the trigram index.
            return self._fuzzy_words().op("%>")(query.folded_phrase)
        return literal_column("products.search_vector").op("@@")(self._tsquery(query))

    def rank(self, query: SearchQuery, fuzzy: bool = False):
        if fuzzy:
            return func.word_similarity(query.folded_phrase, self._fuzzy_words())
        bonus = case(
            # The whole phrase as typed, diacritics and all, in the name: best.
            (func.strpos(func.lower(Product.name), query.phrase) > 0, 2.0),
            # The whole phrase without diacritics in either name: its words one after the
            # other among the name words (weight A) of the stored vector. Folding each
            # matching name instead (unaccent per row) cost 50 ms of 200 for the 10,559
            # matches of "mat ong" at 100,000 products on PostgreSQL.
            (literal_column("products.search_vector").op("@@")(self._phrase(query)), 1.0),
            else_=0.0,
        )
        return (
            func.ts_rank(
                literal_column(f"'{_PG_WEIGHTS}'::float4[]"),
                literal_column("products.search_vector"),
                self._tsquery(query),
            )
            + bonus
        )

    def filter(self, stmt, query: SearchQuery, fuzzy: bool = False):
        return stmt.where(self.condition(query, fuzzy))

    def ranked(self, stmt, query: SearchQuery, fuzzy: bool = False):
        """`stmt` restricted to the matches, and the rank to order them by (higher first)."""
        return stmt.where(self.condition(query, fuzzy)), self.rank(query, fuzzy)


# --- SQLite ----------------------------------------------------------------------------------


def _sqlite_fold(expression: str) -> str:
    # The tokenizer folds case and diacritics but keeps đ (it has no decomposition) and splits
    # at apostrophes; the Python side (parse_query) folds đ and joins at apostrophes.
    for old, new in (("đ", "d"), ("Đ", "D"), ("''", ""), ("’", ""), ("ʼ", "")):
        expression = f"replace({expression}, '{old}', '{new}')"
    return expression


def _sqlite_row(product: str, producer: str) -> str:
    group, subgroup = f'{product}."group"', f"{product}.subgroup"
    name = _sqlite_fold(f"{product}.name || ' ' || coalesce({product}.name_en, '')")
    about = _sqlite_fold(
        f"coalesce({producer}.name, '') || ' ' || coalesce({producer}.name_en, '') || ' ' || "
        f"coalesce({producer}.search_text, '') || ' ' || "
        f"coalesce({producer}.historical_address, '') || ' ' || "
        f"{_sql_case(group, GROUP_WORDS)} || ' ' || {_sql_case(subgroup, SUBGROUP_WORDS)}"
    )
    description = _sqlite_fold(
        f"coalesce({product}.description, '') || ' ' || coalesce({product}.description_en, '')"
    )
    return f"{product}.id, {name}, {about}, {description}"


# ROW_NEW / ROW_PR: the FTS5 row of a product (NEW or pr) and its producer p (see _sqlite_row).
_SQLITE_TRIGGERS = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS product_search USING fts5(
    name, about, description, tokenize = 'unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER IF NOT EXISTS products_search_insert AFTER INSERT ON products BEGIN
      INSERT INTO product_search (rowid, name, about, description)
      SELECT ROW_NEW FROM (SELECT 1) LEFT JOIN producers p ON p.id = NEW.producer_id;
    END""",
    """CREATE TRIGGER IF NOT EXISTS products_search_update
    AFTER UPDATE OF name, name_en, description, description_en, "group", subgroup, producer_id
    ON products BEGIN
      DELETE FROM product_search WHERE rowid = OLD.id;
      INSERT INTO product_search (rowid, name, about, description)
      SELECT ROW_NEW FROM (SELECT 1) LEFT JOIN producers p ON p.id = NEW.producer_id;
    END""",
    """CREATE TRIGGER IF NOT EXISTS products_search_delete AFTER DELETE ON products BEGIN
      DELETE FROM product_search WHERE rowid = OLD.id;
    END""",
    """CREATE TRIGGER IF NOT EXISTS producers_search_update
    AFTER UPDATE OF name, name_en, search_text, historical_address ON producers BEGIN
      DELETE FROM product_search
        WHERE rowid IN (SELECT id FROM products WHERE producer_id = NEW.id);
      INSERT INTO product_search (rowid, name, about, description)
      SELECT ROW_PR FROM products pr JOIN producers p ON p.id = pr.producer_id
        WHERE pr.producer_id = NEW.id;
    END""",
]
SQLITE_DDL = [
    statement.replace("ROW_NEW", _sqlite_row("NEW", "p")).replace("ROW_PR", _sqlite_row("pr", "p"))
    for statement in _SQLITE_TRIGGERS
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS producers_search_update",
    "DROP TRIGGER IF EXISTS products_search_delete",
    "DROP TRIGGER IF EXISTS products_search_update",
    "DROP TRIGGER IF EXISTS products_search_insert",
    "DROP TABLE IF EXISTS product_search",
]

# The FTS5 table, for queries only: it is not part of db.metadata (create_all cannot make it).
_fts = Table(
    "product_search",
    MetaData(),
    Column("rowid", Integer, primary_key=True),
    Column("name", Text),
    Column("about", Text),
    Column("description", Text),
)


class SqliteSearch:
    typo_tolerant = False

    def _match(self, query: SearchQuery) -> str:
        # Quoted words (a-z, 0-9 only): FTS5 syntax cannot get in. Implicit AND between them.
        words = [f'"{word}"' for word in query.words]
        if _last_is_prefix(query):
            words[-1] += "*"
        return " ".join(words)

    def filter(self, stmt, query: SearchQuery, fuzzy: bool = False):
        matches = select(_fts.c.rowid).where(
            literal_column("product_search").op("MATCH")(self._match(query))
        )
        return stmt.where(Product.id.in_(matches))

    def ranked(self, stmt, query: SearchQuery, fuzzy: bool = False):
        stmt = stmt.join(_fts, _fts.c.rowid == Product.id).where(
            literal_column("product_search").op("MATCH")(self._match(query))
        )
        # bm25 is lower for better matches; name, producer-place-group, description weights.
        bm25 = func.bm25(literal_column("product_search"), 10.0, 4.0, 1.0, type_=Float)
        return stmt, -bm25


def get_backend(session) -> PostgresSearch | SqliteSearch:
    return POSTGRES if session.get_bind().dialect.name == "postgresql" else SQLITE


POSTGRES = PostgresSearch()
SQLITE = SqliteSearch()

SEARCH_TABLES = {"product_search"}
SEARCH_COLUMNS = {("products", "search_vector")}
SEARCH_INDEXES = {"ix_products_search_vector", "ix_products_name_trgm"}


def is_search_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic include_object: False for what the search backends own (not in the models)."""
    if type_ == "table" and (name in SEARCH_TABLES or str(name).startswith("product_search_")):
        return False
    if type_ == "column" and (obj.table.name, name) in SEARCH_COLUMNS:
        return False
    return not (type_ == "index" and name in SEARCH_INDEXES)


def install(connection) -> None:
    """Create the search objects of the connection's database (after the products table)."""
    statements = POSTGRES_DDL if connection.dialect.name == "postgresql" else SQLITE_DDL
    for statement in statements:
        connection.exec_driver_sql(statement)


def _after_create(target, connection, **kw) -> None:
    install(connection)


def _before_drop(target, connection, **kw) -> None:
    statements = POSTGRES_DROP if connection.dialect.name == "postgresql" else SQLITE_DROP
    for statement in statements:
        connection.exec_driver_sql(statement)


event.listen(Product.__table__, "after_create", _after_create)
event.listen(Product.__table__, "before_drop", _before_drop)
