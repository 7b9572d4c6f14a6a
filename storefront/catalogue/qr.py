"""QR codes for printing on packaging: they link to the public certificate page."""

import io

import segno


def qr_svg(url: str) -> bytes:
    """A standalone SVG (no script, no inline style attribute) encoding `url`."""
    code = segno.make(url, error="m", micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", scale=6, border=4, dark="#1d1d1b", light="#ffffff")
    return buffer.getvalue()
