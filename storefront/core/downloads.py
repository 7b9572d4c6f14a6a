"""Private files (an applicant's papers) handed to a reader the view has already checked."""

from flask import Response


def private_download(data: bytes, content_type: str, filename: str) -> Response:
    """An attachment that never renders in the shop's origin: a PDF kept as its sender made
    it is sandboxed, not sniffed, and not cached by shared caches."""
    return Response(
        data,
        mimetype=content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
