"""The demo data follows the seed article's figures (shared/seed/dong-van-ocop-2022.txt)."""

from collections import Counter

from sqlalchemy import func, select

from storefront.catalogue.models import Certificate, CertificateStatus, Product
from storefront.clock import today_vn
from storefront.extensions import db
from storefront.models import Producer, ProducerKind, User
from storefront.seed import DEMO_ACCOUNTS, DEMO_REVIEWERS


def test_seed_builds_the_article_figures(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    for email, password, _role in DEMO_ACCOUNTS:
        assert email in result.output and password in result.output

    products = db.session.scalars(select(Product)).all()
    producers = db.session.scalars(select(Producer)).all()
    assert len(products) == 27
    assert len({p.producer_id for p in products}) == 8 == len(producers)

    old_groups = Counter("beverage" if p.group == "beverage" else p.subgroup for p in products)
    assert old_groups == {"textiles": 18, "raw_preprocessed": 6, "processed": 2, "beverage": 1}

    today = today_vn()
    certified = [p for p in products if p.stars_on(today)]
    assert len(certified) == 12
    assert Counter(p.stars_on(today) for p in certified) == {4: 3, 3: 9}
    kinds = Counter(producer.kind for producer in {p.producer for p in certified})
    assert kinds == {ProducerKind.ENTERPRISE: 1, ProducerKind.COOPERATIVE: 6}

    names = {p.name for p in certified}
    assert "Mật ong bạc hà Đồng Văn" in names
    assert any("lanh" in name.lower() for name in names)

    certificates = db.session.scalars(select(Certificate)).all()
    assert any(
        c.status is CertificateStatus.VERIFIED and c.valid_until < today for c in certificates
    )
    assert any(c.status is CertificateStatus.PENDING for c in certificates)
    assert all(p.images for p in products)
    assert all("demo" in p.description.lower() for p in products)


def test_demo_accounts_can_log_in(runner, client):
    runner.invoke(args=["seed-demo"])
    for email, password, _role in DEMO_ACCOUNTS:
        response = client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 302, email
        client.post("/logout")


def test_seed_twice_changes_nothing(runner):
    runner.invoke(args=["seed-demo"])
    mappers = [m.class_ for m in db.Model.registry.mappers]
    before = {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in mappers}
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert "(0 new rows)" in second.output
    after = {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in mappers}
    assert before == after
    # The demo accounts, and the two demo buyers who only author reviews.
    accounts = len(DEMO_ACCOUNTS) + len(DEMO_REVIEWERS)
    assert before["User"] == accounts == db.session.scalar(select(func.count(User.id)))


def test_seed_has_verified_reviews_on_delivered_demo_orders(runner):
    from storefront.orders.models import OrderLine, ProducerOrder, SubOrderStatus
    from storefront.reviews.models import Review
    from storefront.reviews.services import reviewable_line_ids

    runner.invoke(args=["seed-demo"])
    reviews = db.session.scalars(select(Review)).all()
    assert len(reviews) == 5 and any(r.reply for r in reviews)
    for review in reviews:
        line = db.session.get(OrderLine, review.order_line_id)
        assert db.session.get(ProducerOrder, line.producer_order_id).status is (
            SubOrderStatus.DELIVERED
        )
        assert line.order.user_id == review.user_id
    honey = db.session.scalar(select(Product).where(Product.slug == "mat-ong-bac-ha-250ml"))
    assert (honey.rating_count, honey.rating_sum) == (2, 9)
    # The customer demo account still has delivered lines to review.
    khach = db.session.scalar(select(User).where(User.email == "khach@ocop.example"))
    from storefront.orders.models import Order

    order = db.session.scalar(select(Order).where(Order.user_id == khach.id))
    open_lines = reviewable_line_ids(db.session, khach.id, order)
    assert sorted(db.session.get(OrderLine, i).product_slug for i in open_lines) == [
        "hat-de-sang-tung",
        "mat-ong-bac-ha-250ml",
    ]
