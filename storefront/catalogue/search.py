"""Accent- and case-insensitive product search that behaves identically on SQLite and PostgreSQL.

Why a token table (`product_search_tokens`) and not FTS5, tsvector or pg_trgm:
- FTS5 and pg_trgm/tsvector are different engines with different tokenisers and scores, so the
  two databases would rank (and sometimes match) differently; the spec asks for identical results.
- A plain table of folded words (a-z, 0-9) with a B-tree index on `token` is created by
  `db.create_all()`, needs no extension, and a prefix match is an index range scan on both
  databases: `token >= 'mat' AND token < 'mat~'` ('~' sorts after every folded character; the
  column uses the C collation on PostgreSQL so the order is byte-wise, like SQLite's BINARY).
  Cost grows with the number of matching tokens, not with the number of products.
- Each row also keeps the word with its diacritics (`raw`, NFC lower-case) and a weight for the
  field it came from, so ranking is plain integer arithmetic in SQL:
  field weight (name 100 > description 20 > producer 15 > place 10) + 8 when the diacritics match
  exactly + 2 for a whole-word (not prefix) match, best row per query word, summed over words.
  A folded name match therefore always beats any description match, and within a field an exact
  'mật' beats a folded 'mat'. Ties fall back to newest first, then id, so the order is total.
"""

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import and_, case, func, intersect, select, union_all

from ..text import fold
from .models import ProductSearchToken

MAX_QUERY_CHARS = 200
MAX_TERMS = 8
TOKEN_LENGTH = 64
EXACT_DIACRITICS_BONUS = 8
WHOLE_WORD_BONUS = 2
# Sorts after every character a folded token may contain (a-z, 0-9).
_PREFIX_END = "~"

_APOSTROPHES = re.compile(r"['’ʼ]")
_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+")
_NOT_FOLDED_CHAR = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Term:
    folded: str  # what must match (prefix of a folded token)
    raw: str  # the word as typed, NFC lower-case, for the exact-diacritics bonus


def words(text: str | None) -> list[Term]:
    """Split text into (folded, raw) words. NFC first, so NFC and NFD input give the same words.

    Apostrophes join ("H'Mông" -> "hmông"), so "hmong" finds it.
    """
    if not text:
        return []
    normalized = unicodedata.normalize("NFC", _APOSTROPHES.sub("", text)).lower()
    result = []
    for match in _WORD.finditer(normalized):
        raw = match.group()
        folded = _NOT_FOLDED_CHAR.sub("", fold(raw))
        if folded:
            result.append(Term(folded[:TOKEN_LENGTH], raw[:TOKEN_LENGTH]))
    return result


def parse_query(q: str | None) -> list[Term]:
    """The distinct search words of a query, at most MAX_TERMS, from its first MAX_QUERY_CHARS."""
    terms: list[Term] = []
    for term in words((q or "")[:MAX_QUERY_CHARS]):
        if term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def _term_condition(term: Term):
    token = ProductSearchToken.token
    if len(term.folded) < 2:
        # A one-letter prefix would match most of the catalogue.
        return token == term.folded
    return and_(token >= term.folded, token < term.folded + _PREFIX_END)


def match_subquery(terms: list[Term]):
    """(product_id, rank) of products matching every term; rank as described in the module doc.

    Each term's best-scoring row per product (one grouped range scan of the token index per
    term), stacked with UNION ALL and summed per product; a product matches every term when
    it has one row per term. Neither database has to guess how the terms' matches overlap:
    a single GROUP BY over all terms' rows made SQLite scan the whole token table for three
    or four words, and joining the per-term results made PostgreSQL, misjudging a rare
    word's range, compare every pair of rows (90 ms and 240 ms at 10,000 products).
    """
    t = ProductSearchToken
    per_term = []
    for term in terms:
        score = (
            t.weight
            + case((t.raw == term.raw, EXACT_DIACRITICS_BONUS), else_=0)
            + case((t.token == term.folded, WHOLE_WORD_BONUS), else_=0)
        )
        per_term.append(
            select(t.product_id.label("product_id"), func.max(score).label("score"))
            .where(_term_condition(term))
            .group_by(t.product_id)
        )
    if len(per_term) == 1:
        # Every product with a row matches; a HAVING would only blur the row estimate.
        only = per_term[0].subquery("search_terms")
        return select(only.c.product_id, only.c.score.label("rank")).subquery("search_match")
    scores = union_all(*per_term).subquery("search_terms")
    return (
        select(scores.c.product_id.label("product_id"), func.sum(scores.c.score).label("rank"))
        .group_by(scores.c.product_id)
        .having(func.count() == len(terms))
        .subquery("search_match")
    )


def matching_ids(terms: list[Term]):
    """The ids of products matching every term, without ranking: for totals and facet counts.

    The intersection of one range scan per term over the (token, product_id) index, which
    covers it: no table row is read, so it costs a fraction of match_subquery.
    """
    t = ProductSearchToken
    per_term = [select(t.product_id).where(_term_condition(term)) for term in terms]
    return per_term[0] if len(per_term) == 1 else intersect(*per_term)
