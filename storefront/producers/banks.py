"""Vietnamese banks on the NAPAS/VietQR network, by BIN: the same identifiers the VietQR code
for bank transfers carries (orders.bank_transfer.vietqr_payload takes a bank BIN)."""

VIETQR_BANKS: tuple[tuple[str, str], ...] = (
    ("970405", "Agribank"),
    ("970425", "ABBANK"),
    ("970416", "ACB"),
    ("970409", "Bac A Bank"),
    ("970438", "BaoViet Bank"),
    ("970418", "BIDV"),
    ("970454", "BVBank"),
    ("970446", "Co-opBank (Ngân hàng Hợp tác xã)"),
    ("970431", "Eximbank"),
    ("970437", "HDBank"),
    ("970452", "KienlongBank"),
    ("970449", "LPBank"),
    ("970422", "MB Bank"),
    ("970426", "MSB"),
    ("970428", "Nam A Bank"),
    ("970419", "NCB"),
    ("970448", "OCB"),
    ("970412", "PVcomBank"),
    ("970403", "Sacombank"),
    ("970400", "Saigonbank"),
    ("970440", "SeABank"),
    ("970443", "SHB"),
    ("970407", "Techcombank"),
    ("970423", "TPBank"),
    ("970441", "VIB"),
    ("970427", "VietABank"),
    ("970433", "VietBank"),
    ("970436", "Vietcombank"),
    ("970415", "VietinBank"),
    ("970432", "VPBank"),
)

BANK_NAMES = dict(VIETQR_BANKS)


def bank_name(bin_code: str | None) -> str:
    return BANK_NAMES.get(bin_code or "", "")
