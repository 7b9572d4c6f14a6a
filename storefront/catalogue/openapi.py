"""The OpenAPI 3.1 document of the read-only API. tests/catalogue validates real responses
against these schemas, so change them together with api.py."""

from flask import current_app

from ..core.validators import DB_INT_MAX, MAX_MONEY_VND
from .ocop import GROUPS
from .queries import MAX_PER_PAGE, PER_PAGE, SORTS, STAR_LEVELS, SUGGEST_LIMIT, province_codes

# The longest search text the API takes (only the first 200 characters count); longer is a 400.
MAX_Q_LENGTH = 10_000
# A slug as storefront.text.slugify makes it (catalogue/forms.py SLUG_RE).
SLUG_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{0,119}$"


def _nullable(schema: dict, **extra) -> dict:
    """OpenAPI 3.1 (JSON Schema 2020-12) null: a type list, or anyOf for a $ref."""
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}], **extra}
    nullable = {**schema, "type": [schema["type"], "null"], **extra}
    if "enum" in nullable:
        nullable["enum"] = [*nullable["enum"], None]
    return nullable


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict, optional: tuple[str, ...] = ()) -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [name for name in properties if name not in optional],
        "properties": properties,
    }


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
DATE = {"type": "string", "format": "date"}
URL = {"type": "string", "format": "uri"}
MONTH = {"type": "integer", "minimum": 1, "maximum": 12}

SCHEMAS = {
    "Image": _object(
        {
            "url": URL,
            "thumb_url": URL,
            "alt": STRING,
            "width": INTEGER,
            "height": INTEGER,
        }
    ),
    "Certificate": _object(
        {
            "number": STRING,
            "status": {
                "type": "string",
                "enum": ["valid", "expired", "not_yet_valid", "unverified"],
            },
            "stars": _nullable(
                {
                    "type": "integer",
                    "enum": list(STAR_LEVELS),
                    "description": "Null unless the certificate is verified and valid today.",
                }
            ),
            "issuing_authority": {**STRING, "description": "As printed on the certificate."},
            "decision_number": STRING,
            "signed_on": DATE,
            "valid_until": DATE,
            "verify_url": URL,
        }
    ),
    "ProducerSummary": _object(
        {
            "slug": STRING,
            "name": STRING,
            "name_en": _nullable({**STRING, "description": "The English name, if given."}),
            "kind": {
                "type": "string",
                "enum": ["cooperative", "enterprise", "cooperative_group", "household"],
            },
            "url": URL,
            "province_code": _nullable(INTEGER),
            "province": _nullable({**STRING, "description": "Current (2025) province."}),
            "ward_code": _nullable(INTEGER),
            "ward": _nullable({**STRING, "description": "Current ward or commune."}),
            "place": _nullable(STRING),
            "historical_address": _nullable(
                {**STRING, "description": "The address as printed before the 2025 reform."}
            ),
        }
    ),
    "Rating": {
        **_object(
            {
                "average": _nullable(
                    {"type": "number", "minimum": 1, "maximum": 5},
                    description="Mean stars of the published verified reviews, one decimal.",
                ),
                "count": {"type": "integer", "minimum": 0},
            }
        ),
        "description": "Buyers' reviews (only buyers whose order was delivered may review).",
    },
    "Variant": _object(
        {
            "sku": STRING,
            "options": {
                "type": "object",
                "additionalProperties": STRING,
                "description": "Option kind (volume, weight, size, colour, pattern) to value; "
                "empty for a product's only form.",
            },
            "label": {**STRING, "description": "The options in the request's language."},
            "price": {"type": "integer", "minimum": 0, "description": "Whole đồng (VND)."},
            "available": {"type": "integer", "minimum": 0},
            "weight_grams": {"type": "integer", "minimum": 1, "maximum": 50_000},
        }
    ),
    "Product": _object(
        {
            "id": INTEGER,
            "slug": STRING,
            "name": STRING,
            "name_en": _nullable({**STRING, "description": "The English name, if given."}),
            "url": URL,
            "group": {"type": "string", "enum": list(GROUPS)},
            "group_label": STRING,
            "subgroup": _nullable(STRING),
            "unit": STRING,
            "price": {"type": "integer", "minimum": 0, "description": "Whole đồng (VND)."},
            "currency": {"type": "string", "enum": ["VND"]},
            "price_display": STRING,
            "stars": _nullable(
                {
                    "type": "integer",
                    "enum": list(STAR_LEVELS),
                    "description": "From a verified certificate valid today, else null.",
                }
            ),
            "certificate": _nullable(
                _ref("Certificate"),
                description="The valid certificate, else the last expired one, else null.",
            ),
            "producer": _ref("ProducerSummary"),
            "made_to_order": {"type": "boolean"},
            "lead_time_days": _nullable(INTEGER),
            "available": {"type": "integer", "minimum": 0},
            "in_stock": {"type": "boolean"},
            "season": _nullable(_object({"start_month": MONTH, "end_month": MONTH})),
            "image": _nullable(_ref("Image")),
            "rating": _ref("Rating"),
            "created_at": {"type": "string", "format": "date-time"},
            "price_max": {
                "type": "integer",
                "minimum": 0,
                "description": "The highest variant's price; equal to price when all agree.",
            },
            "variants": {
                "type": "array",
                "items": _ref("Variant"),
                "description": "The forms on sale (sizes, colours, bag weights), each with "
                "its own SKU, price, stock and weight; at least one.",
            },
            "description": STRING,
            "description_en": _nullable(STRING),
            "images": {"type": "array", "items": _ref("Image")},
        },
        optional=("description", "description_en", "images"),
    ),
}
SCHEMAS["ProductDetail"] = {
    **SCHEMAS["Product"],
    "required": [*SCHEMAS["Product"]["required"], "description", "description_en", "images"],
}
SCHEMAS["Producer"] = {
    **SCHEMAS["ProducerSummary"],
    "required": [*SCHEMAS["ProducerSummary"]["required"], "product_count"],
    "properties": {**SCHEMAS["ProducerSummary"]["properties"], "product_count": INTEGER},
}
SCHEMAS["ProducerDetail"] = {
    **SCHEMAS["ProducerSummary"],
    "required": [
        *SCHEMAS["ProducerSummary"]["required"],
        "story",
        "story_en",
        "products",
        "certificates",
    ],
    "properties": {
        **SCHEMAS["ProducerSummary"]["properties"],
        "story": STRING,
        "story_en": _nullable(STRING),
        "products": {"type": "array", "items": _ref("Product")},
        "certificates": {
            "type": "array",
            "items": {
                **SCHEMAS["Certificate"],
                "required": [*SCHEMAS["Certificate"]["required"], "product_slug"],
                "properties": {**SCHEMAS["Certificate"]["properties"], "product_slug": STRING},
            },
        },
    },
}


def _page_of(item: str) -> dict:
    return _object(
        {
            "items": {"type": "array", "items": _ref(item)},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "total": {"type": "integer", "minimum": 0},
            "pages": {"type": "integer", "minimum": 1},
        }
    )


SCHEMAS["ProductPage"] = _page_of("Product")
SCHEMAS["ProducerPage"] = _page_of("Producer")
SCHEMAS["Suggestions"] = _object(
    {
        "items": {
            "type": "array",
            "maxItems": SUGGEST_LIMIT,
            "items": _object(
                {
                    "type": {"type": "string", "enum": ["product", "producer"]},
                    "name": {**STRING, "description": "In English with the lang=en cookie."},
                    "url": {**STRING, "format": "uri-reference", "description": "Its page."},
                }
            ),
        }
    }
)
SCHEMAS["Error"] = _object(
    {
        "error": _object(
            {
                "code": STRING,
                "message": STRING,
                "fields": {"type": "object", "additionalProperties": STRING},
            },
            optional=("fields",),
        )
    }
)

# Shipping quotes (storefront/shipping/api.py).
SCHEMAS["ShippingQuote"] = _object(
    {
        "options": {
            "type": "array",
            "items": _object(
                {
                    "carrier": {
                        "type": "string",
                        "enum": ["ghn", "ghtk", "viettelpost", "self", "standard"],
                    },
                    "service": STRING,
                    "fee": {"type": "integer", "minimum": 0},
                    "eta_days": {"type": "integer", "minimum": 1},
                }
            ),
        }
    }
)


def _query(name: str, schema: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


PAGE_PARAMETERS = [
    _query("page", {"type": "integer", "minimum": 1}, "Past the last page gives the last page."),
    _query(
        "per_page",
        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": PER_PAGE},
        "Items per page.",
    ),
]


def _product_parameters() -> list[dict]:
    """Built per document: the province codes come from vietnam-provinces' data."""
    price = {"type": "integer", "minimum": 0, "maximum": MAX_MONEY_VND}
    return [
        _query(
            "q",
            {"type": "string", "maxLength": MAX_Q_LENGTH},
            "Search words; accents and case are ignored (only the first 200 characters count).",
        ),
        _query("group", {"type": "string", "enum": list(GROUPS)}, "OCOP product group."),
        _query("stars", {"type": "integer", "enum": list(STAR_LEVELS)}, "Minimum valid stars."),
        _query("producer", {"type": "string", "pattern": SLUG_PATTERN}, "Producer slug."),
        _query(
            "province",
            {"type": "integer", "enum": sorted(province_codes())},
            "Current province code (vietnam-provinces).",
        ),
        _query("price_min", price, "Minimum price in đồng."),
        _query("price_max", price, "Maximum price in đồng."),
        _query(
            "in_stock",
            {"type": "integer", "enum": [0, 1]},
            "1: only products in stock or made to order.",
        ),
        _query(
            "sort",
            {"type": "string", "enum": list(SORTS)},
            "Default: relevance when searching, else newest; rating: best rated first.",
        ),
        *PAGE_PARAMETERS,
    ]


def _json(description: str, schema: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


SLUG = {
    "name": "slug",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": SLUG_PATTERN},
}


def openapi_document(server_url: str = "/api/v1") -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{current_app.config['SHOP_NAME_EN']} catalogue API",
            "version": "1.0.0",
            "description": (
                "Read-only catalogue of certified OCOP products. Prices are whole đồng. "
                "Stars are null unless the product's certificate is verified and valid today."
            ),
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/products": {
                "get": {
                    "operationId": "listProducts",
                    "summary": "Public products, with the listing's filters",
                    "parameters": _product_parameters(),
                    "responses": {
                        "200": _json("A page of products.", "ProductPage"),
                        "400": _json("An argument is not valid.", "Error"),
                        "404": _json("The producer filter names no approved producer.", "Error"),
                    },
                }
            },
            "/products/{slug}": {
                "get": {
                    "operationId": "getProduct",
                    "summary": "One public product",
                    "parameters": [SLUG],
                    "responses": {
                        "200": _json("The product.", "ProductDetail"),
                        "404": _json("No such public product.", "Error"),
                    },
                }
            },
            "/search/suggest": {
                "get": {
                    "operationId": "suggest",
                    "summary": "Producers and products for a search box, as the buyer types",
                    "parameters": [
                        _query(
                            "q",
                            {"type": "string", "maxLength": MAX_Q_LENGTH},
                            "What was typed so far; the last word may be unfinished. "
                            "Accents and case are ignored; on PostgreSQL, near misses of the "
                            "names are suggested when no word matches.",
                        )
                    ],
                    "responses": {
                        "200": _json("At most 8 suggestions.", "Suggestions"),
                        "400": _json("An argument is not valid.", "Error"),
                    },
                }
            },
            "/producers": {
                "get": {
                    "operationId": "listProducers",
                    "summary": "Approved producers",
                    "parameters": PAGE_PARAMETERS,
                    "responses": {
                        "200": _json("A page of producers.", "ProducerPage"),
                        "400": _json("An argument is not valid.", "Error"),
                    },
                }
            },
            "/shipping/quote": {
                "get": {
                    "operationId": "quoteShipping",
                    "summary": "What a cooperative's parcel costs to a ward, with each carrier",
                    "parameters": [
                        {
                            **_query(
                                "producer",
                                {"type": "string", "pattern": SLUG_PATTERN},
                                "The cooperative's slug.",
                            ),
                            "required": True,
                        },
                        {
                            **_query(
                                "province",
                                {"type": "integer", "minimum": 1, "maximum": DB_INT_MAX},
                                "Province code (34-province list of 2025).",
                            ),
                            "required": True,
                        },
                        {
                            **_query(
                                "ward",
                                {"type": "integer", "minimum": 1, "maximum": DB_INT_MAX},
                                "Ward or commune code, in that province.",
                            ),
                            "required": True,
                        },
                        {
                            **_query(
                                "weight_grams",
                                {"type": "integer", "minimum": 1, "maximum": 50_000},
                                "The parcel's weight in grams.",
                            ),
                            "required": True,
                        },
                    ],
                    "responses": {
                        "200": _json(
                            "The options, the cooperative's chosen carrier first. Fees are "
                            "whole đồng before the cooperative's free-shipping threshold.",
                            "ShippingQuote",
                        ),
                        "400": _json("An argument is missing or not valid.", "Error"),
                        "404": _json(
                            "No such approved producer, or no such ward in the province.",
                            "Error",
                        ),
                    },
                }
            },
            "/producers/{slug}": {
                "get": {
                    "operationId": "getProducer",
                    "summary": "One approved producer with its products and certificates",
                    "parameters": [SLUG],
                    "responses": {
                        "200": _json("The producer.", "ProducerDetail"),
                        "404": _json("No such producer.", "Error"),
                    },
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }
