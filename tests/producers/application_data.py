"""A complete seller application as the public form posts it (fresh file objects each call)."""

from io import BytesIO

from PIL import Image

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png_bytes() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (40, 30), (200, 180, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def application(**overrides) -> dict:
    data = {
        "name": "HTX Lanh Lùng Tám",
        "kind": "cooperative",
        "province_code": "8",
        "ward_code": "721",
        "historical_address": "xã Lùng Tám, huyện Quản Bạ, tỉnh Hà Giang",
        "story": "Dệt vải lanh thủ công.",
        "contact_phone": "0912 345 678",
        "legal_name": "Hợp tác xã Lanh Lùng Tám",
        "registration_number": "08.07.000123",
        "tax_code": "0101234567",
        "bank_bin": "970405",
        "account": "1234 5678 9012",
        "holder": "Hợp tác xã Lanh Lùng Tám",
        "registration_document": (BytesIO(PDF), "dang-ky-htx.pdf"),
        "ocop_documents": [(BytesIO(png_bytes()), "quyet-dinh-ocop.png")],
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
