"""The CSP forbids inline code; check the templates so a violation fails here, with a file
name, before a browser ever meets it."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
HTML = sorted(p for p in TEMPLATES.rglob("*.html"))

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
# JSON-LD is data, not code: the CSP does not block it and browsers never run it.
JSON_DATA = re.compile(r"type=[\"']application/(ld\+)?json[\"']", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\s(on[a-z]+)\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
JS_URL = re.compile(r"(href|src|action)\s*=\s*[\"']\s*javascript:", re.IGNORECASE)
EXTERNAL = re.compile(r"(src|href)\s*=\s*[\"']https?://(?!schema\.org)", re.IGNORECASE)


def relative(path: Path) -> str:
    return str(path.relative_to(TEMPLATES))


@pytest.mark.parametrize("path", HTML, ids=relative)
def test_template_has_no_inline_code_or_styles(path):
    text = path.read_text(encoding="utf-8")
    problems = []
    for match in INLINE_SCRIPT.finditer(text):
        if not JSON_DATA.search(match.group(0)):
            problems.append(f"inline <script>: {match.group(0)}")
    problems += [f"inline handler {m.group(1)}=" for m in EVENT_HANDLER.finditer(text)]
    problems += ["style= attribute" for _ in STYLE_ATTRIBUTE.finditer(text)]
    problems += ["<style> element" for _ in STYLE_ELEMENT.finditer(text)]
    problems += ["javascript: URL" for _ in JS_URL.finditer(text)]
    assert not problems, f"{relative(path)}: {problems}"


@pytest.mark.parametrize("path", HTML, ids=relative)
def test_template_loads_nothing_from_another_origin(path):
    # OpenGraph/canonical URLs come from url_for(_external=True), not literals.
    text = path.read_text(encoding="utf-8")
    external = [m.group(0) for m in EXTERNAL.finditer(text)]
    assert not external, f"{relative(path)}: {external}"
