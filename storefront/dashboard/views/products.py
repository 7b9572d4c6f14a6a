"""Products: list, create, edit, publish, photos and certificates."""

from flask import abort, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...catalogue.certificates import submit_certificate
from ...catalogue.models import ProductStatus
from ...catalogue.products import (
    add_product_image,
    create_product,
    delete_product_image,
    set_product_status,
    update_product,
)
from ...clock import today_vn
from ...core.pagination import paginate
from ...core.uow import done, show_in_form
from ...errors import DomainError, back_to
from ...extensions import db
from ...storage import storage
from .. import queries
from ..forms import CertificateForm, ImageForm, ProductForm
from . import (
    PER_PAGE,
    bp,
    form_status,
    max_pixels,
    max_upload_mb,
    page_number,
    producer_view,
)


def _product_page(product, status=200, **forms):
    forms.setdefault("form", ProductForm(obj=product, formdata=None))
    forms["form"].subgroup.data = forms["form"].subgroup.data or ""
    forms.setdefault("image_form", ImageForm(formdata=None))
    return (
        render_template(
            "dashboard/product_edit.html", product=product, max_mb=max_upload_mb(), **forms
        ),
        status,
    )


def _edit_url(product) -> str:
    return url_for("dashboard.product_edit", product_id=product.id)


@bp.get("/dashboard/products")
@producer_view
def products():
    raw = request.args.get("status", "")
    status = next((s for s in ProductStatus if s.value == raw), None)
    page = paginate(db.session, queries.products_query(g.producer, status), page_number(), PER_PAGE)
    return render_template("dashboard/products.html", page=page, status=status)


@bp.route("/dashboard/products/new", methods=["GET", "POST"])
@producer_view
def product_new():
    form = ProductForm()
    if form.validate_on_submit():
        try:
            product = create_product(
                db.session,
                g.producer,
                form.to_input(),
                initial_stock=form.initial_stock.data or 0,
                user_id=current_user.id,
            )
        except DomainError as error:
            show_in_form(form, error)
        else:
            return done(_("Draft saved. Add photos, then publish it."), _edit_url(product))
    return render_template("dashboard/product_new.html", form=form), form_status()


@bp.route("/dashboard/products/<int:product_id>", methods=["GET", "POST"])
@producer_view
def product_edit(product_id: int):
    product = queries.get_own_product_or_404(g.producer, product_id)
    if request.method in ("GET", "HEAD"):
        return _product_page(product)
    form = ProductForm()
    if form.validate_on_submit():
        try:
            update_product(db.session, g.producer, product, form.to_input(), current_user.id)
        except DomainError as error:
            show_in_form(form, error)
        else:
            return done(_("Changes saved."), _edit_url(product))
    return _product_page(product, 422, form=form)


@bp.post("/dashboard/products/<int:product_id>/status")
@producer_view
def product_status(product_id: int):
    product = queries.get_own_product_or_404(g.producer, product_id)
    target = next((s for s in ProductStatus if s.value == request.form.get("status")), None)
    if target is None:
        abort(400)
    back = back_to(_edit_url(product))
    set_product_status(db.session, g.producer, product, target, current_user.id)
    messages = {
        ProductStatus.ACTIVE: _("The product is live in the shop."),
        ProductStatus.DRAFT: _("The product is hidden from the shop (draft)."),
        ProductStatus.ARCHIVED: _("The product is archived."),
    }
    return done(messages[target], back)


@bp.post("/dashboard/products/<int:product_id>/images")
@producer_view
def image_upload(product_id: int):
    product = queries.get_own_product_or_404(g.producer, product_id)
    image_form = ImageForm()
    if image_form.validate_on_submit():
        try:
            add_product_image(
                db.session,
                g.producer,
                product,
                image_form.photo.data.read(),
                image_form.alt.data,
                storage(),
                max_pixels(),
                current_user.id,
            )
        except DomainError as error:
            show_in_form(image_form, error, "photo")
        else:
            return done(_("Photo added."), _edit_url(product))
    return _product_page(product, 422, image_form=image_form)


@bp.post("/dashboard/products/<int:product_id>/images/<int:image_id>/delete")
@producer_view
def image_delete(product_id: int, image_id: int):
    product = queries.get_own_product_or_404(g.producer, product_id)
    image = queries.get_own_image_or_404(g.producer, product, image_id)
    delete_product_image(db.session, g.producer, image, storage(), current_user.id)
    return done(_("Photo removed."), _edit_url(product))


@bp.route("/dashboard/products/<int:product_id>/certificates/new", methods=["GET", "POST"])
@producer_view
def certificate_new(product_id: int):
    product = queries.get_own_product_or_404(g.producer, product_id)
    form = CertificateForm()
    if form.validate_on_submit():
        try:
            submit_certificate(
                db.session,
                g.producer,
                product,
                form.to_input(),
                form.scan.data.read(),
                storage(),
                max_pixels(),
                today_vn(),
                current_user.id,
            )
        except DomainError as error:
            show_in_form(form, error)
        else:
            return done(
                _("Certificate submitted. It shows on the product once an admin verifies it."),
                _edit_url(product),
            )
    return render_template(
        "dashboard/certificate_new.html", form=form, product=product
    ), form_status()


@bp.get("/dashboard/certificates/<int:certificate_id>")
@producer_view
def certificate(certificate_id: int):
    found = queries.get_own_certificate_or_404(g.producer, certificate_id)
    return render_template("dashboard/certificate.html", certificate=found)
