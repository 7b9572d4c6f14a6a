"""The policy pages every Vietnamese shop shows, with the default text for each."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class PageKind:
    slug: str
    label: object  # lazy string for the footer and admin list
    title_vi: str
    title_en: str
    body_vi: str
    body_en: str


_OPERATOR_NOTE_VI = (
    "Liên hệ bộ phận chăm sóc khách hàng qua đường dây nóng hoặc email ở chân trang."
)
_OPERATOR_NOTE_EN = "Contact customer care through the hotline or email at the foot of the page."

KINDS: tuple[PageKind, ...] = (
    PageKind(
        "privacy",
        _l("Privacy policy"),
        "Chính sách bảo mật",
        "Privacy policy",
        "## Dữ liệu chúng tôi thu thập\n\nTên, email, số điện thoại và địa chỉ giao hàng, "
        "chỉ để thực hiện đơn hàng và lưu chứng từ kế toán theo Nghị định 13/2023/NĐ-CP.\n\n"
        "## Quyền của bạn\n\nBạn có thể tải về dữ liệu của mình hoặc xoá tài khoản trên trang "
        "tài khoản. " + _OPERATOR_NOTE_VI,
        "## What we collect\n\nYour name, email, phone and delivery address, only to fulfil "
        "your orders and keep the accounting records required by Decree 13/2023/NĐ-CP.\n\n"
        "## Your rights\n\nYou can download your data or delete your account from your account "
        "page. " + _OPERATOR_NOTE_EN,
    ),
    PageKind(
        "terms",
        _l("Terms of use"),
        "Điều khoản sử dụng",
        "Terms of use",
        "Chợ OCOP là sàn giao dịch thương mại điện tử nơi các hợp tác xã và doanh nghiệp bán "
        "sản phẩm OCOP. Mỗi đơn hàng được tách theo từng nhà sản xuất. " + _OPERATOR_NOTE_VI,
        "OCOP Market is an e-commerce marketplace where cooperatives and enterprises sell OCOP "
        "products. Each order is split per producer. " + _OPERATOR_NOTE_EN,
    ),
    PageKind(
        "returns",
        _l("Returns and refunds"),
        "Chính sách đổi trả và hoàn tiền",
        "Returns and refunds",
        "Bạn có thể huỷ phần đơn hàng chưa đóng gói. Hàng lỗi hoặc giao sai được đổi hoặc hoàn "
        "tiền trong 7 ngày kể từ khi nhận. " + _OPERATOR_NOTE_VI,
        "You can cancel any part of an order that is not packed yet. Faulty or wrong items are "
        "exchanged or refunded within 7 days of delivery. " + _OPERATOR_NOTE_EN,
    ),
    PageKind(
        "shipping",
        _l("Shipping"),
        "Chính sách vận chuyển",
        "Shipping",
        "Mỗi hợp tác xã tự giao phần đơn hàng của mình, với phí vận chuyển riêng hiển thị khi "
        "thanh toán. " + _OPERATOR_NOTE_VI,
        "Each cooperative ships its own part of the order, with its own shipping fee shown at "
        "checkout. " + _OPERATOR_NOTE_EN,
    ),
    PageKind(
        "payment",
        _l("Payment methods"),
        "Phương thức thanh toán",
        "Payment methods",
        "- Thanh toán khi nhận hàng (COD)\n- Chuyển khoản ngân hàng (VietQR)\n- Thẻ quốc tế "
        "qua trang thanh toán an toàn của Stripe\n\n" + _OPERATOR_NOTE_VI,
        "- Cash on delivery\n- Bank transfer (VietQR)\n- Card, on Stripe's secure checkout "
        "page\n\n" + _OPERATOR_NOTE_EN,
    ),
)

BY_SLUG = {kind.slug: kind for kind in KINDS}
