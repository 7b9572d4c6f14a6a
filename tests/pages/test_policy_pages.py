"""Policy pages kept by admins in Markdown, rendered safely; the footer's operator details."""

from sqlalchemy import select

from storefront.admin.models import AuditEvent
from storefront.extensions import db
from storefront.pages.markdown import render
from storefront.pages.models import PolicyPage

SLUGS = ("privacy", "terms", "returns", "shipping", "payment")


def test_every_policy_page_exists_from_the_start_and_the_footer_links_them(client):
    home = client.get("/").get_data(as_text=True)
    for slug in SLUGS:
        assert f'href="/policies/{slug}"' in home
        assert client.get(f"/policies/{slug}").status_code == 200
    assert client.get("/policies/nope").status_code == 404
    assert "Bán hàng cùng Chợ OCOP" in home  # the seller link, visible on every page


def test_footer_shows_the_operator_details_from_settings(app_factory):
    app = app_factory(
        OPERATOR_NAME="Công ty TNHH Thử Nghiệm",
        OPERATOR_ADDRESS="Số 9 phố Thử, Hà Nội",
        OPERATOR_HOTLINE="1900 1234",
        OPERATOR_EMAIL="lienhe@thu.example",
        OPERATOR_BUSINESS_REGISTRATION="GCNĐKDN số 0101234567",
        OPERATOR_MOIT_NOTICE="Đã thông báo Bộ Công Thương",
        OPERATOR_MOIT_URL="http://online.gov.vn/Home/WebDetails/1",
    )
    with app.app_context():
        page = app.test_client().get("/policies/privacy").get_data(as_text=True)
    for text in (
        "Công ty TNHH Thử Nghiệm",
        "Số 9 phố Thử, Hà Nội",
        'href="tel:19001234"',
        "lienhe@thu.example",
        "GCNĐKDN số 0101234567",
        'href="http://online.gov.vn/Home/WebDetails/1"',
        "Đã thông báo Bộ Công Thương",
    ):
        assert text in page, text


def test_markdown_is_rendered_without_raw_html_or_script_links():
    html = str(
        render(
            "## Tiêu đề\n\n- một\n- hai\n\n<script>alert(1)</script>\n\n"
            "[bấm](javascript:alert(1)) [ok](https://ocop.example/a)\n\n"
            '<img src=x onerror="alert(1)">\n\n![ảnh](https://evil.example/x.png)'
        )
    )
    assert "<h2>Tiêu đề</h2>" in html and "<li>một</li>" in html
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "<img" not in html
    assert 'href="javascript:' not in html
    assert '<a href="https://ocop.example/a">ok</a>' in html


def test_admin_edits_a_page_in_both_languages_and_it_is_audited(admin_client, admin, client):
    assert admin_client.get("/admin/pages/").status_code == 200
    form = {
        "title_vi": "Chính sách đổi trả mới",
        "title_en": "New returns policy",
        "body_vi": "Đổi trả trong **30 ngày**.\n\n<script>alert(1)</script>",
        "body_en": "Returns within **30 days**.",
    }
    response = admin_client.post("/admin/pages/returns", data=form)
    assert response.status_code == 303
    page = client.get("/policies/returns").get_data(as_text=True)
    assert "Chính sách đổi trả mới" in page and "<strong>30 ngày</strong>" in page
    assert "<script>alert(1)</script>" not in page
    client.set_cookie("lang", "en")
    english = client.get("/policies/returns").get_data(as_text=True)
    assert "New returns policy" in english and "<strong>30 days</strong>" in english
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "policy_page.edit"))
    assert event.actor_id == admin.id and event.after["title_vi"] == "Chính sách đổi trả mới"

    # A second edit records only what changed.
    admin_client.post("/admin/pages/returns", data={**form, "title_en": "Returns"})
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "policy_page.edit").order_by(AuditEvent.id)
    ).all()
    assert events[-1].before == {"title_en": "New returns policy"}
    assert len(db.session.scalars(select(PolicyPage)).all()) == 1


def test_admin_page_form_refuses_bad_input(admin_client):
    assert admin_client.get("/admin/pages/unknown").status_code == 404
    empty = admin_client.post(
        "/admin/pages/terms", data={"title_vi": "", "body_vi": "", "title_en": "", "body_en": ""}
    )
    assert empty.status_code == 422
    huge = admin_client.post("/admin/pages/terms", data={"title_vi": "T", "body_vi": "x" * 60_000})
    assert huge.status_code == 422
    assert db.session.scalar(select(PolicyPage)) is None


def test_only_admins_edit_pages(client, auth):
    from tests.factories import UserFactory

    assert client.get("/admin/pages/").status_code == 302
    user = UserFactory()
    db.session.commit()
    auth.login_as(user)
    assert client.get("/admin/pages/").status_code == 403
    assert (
        client.post("/admin/pages/terms", data={"title_vi": "x", "body_vi": "y"}).status_code == 403
    )
