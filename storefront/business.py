"""사업자 정보: what a Korean online shop must show about who runs it (전자상거래법 제10조).

One home for the rules: the 사업자등록번호 check digit, the loose 통신판매업 신고번호
check, the Fair Trade Commission's lookup link, and :func:`missing_items`, the list
of what the merchant has still to fill in (상점 설정 and the 관리자 홈 checklist ask it).
"""

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from .settings import ShopInfo

_BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)
# Seen in footers: 제2015-제주아라-0032호, 제 2023-서울강남-04352호, 2018-서울송파-0571. No official format.
_MAIL_ORDER_NO = re.compile(r"(제\s?)?\d{4}\s?-\s?[가-힣]+(\s?[가-힣]+)*\s?-\s?\d{3,6}\s?(호)?")
FTC_LOOKUP_URL = "https://www.ftc.go.kr/bizCommPop.do?wrkr_no={digits}"


def brn_digits(value: str | None) -> str:
    """The digits of a 사업자등록번호 as typed ("120-81-47521", "120 81 47521")."""
    return re.sub(r"[\s-]", "", value or "")


def is_valid_brn(value: str | None) -> bool:
    """Ten digits whose last one is the check digit (weights 1,3,7,1,3,7,1,3,5, plus ⌊d₈×5/10⌋)."""
    digits = brn_digits(value)
    if not re.fullmatch(r"[0-9]{10}", digits):
        return False
    numbers = [int(d) for d in digits]
    total = sum(d * w for d, w in zip(numbers, _BRN_WEIGHTS, strict=False)) + numbers[8] * 5 // 10
    return (10 - total % 10) % 10 == numbers[9]


def format_brn(digits: str | None) -> str:
    """1208147521 → 120-81-47521 (anything else is returned as it is)."""
    d = digits or ""
    return f"{d[:3]}-{d[3:5]}-{d[5:]}" if len(d) == 10 and d.isdigit() else d


def is_plausible_mail_order_no(value: str | None) -> bool:
    return _MAIL_ORDER_NO.fullmatch((value or "").strip()) is not None


def ftc_lookup_url(business_no: str) -> str:
    """The 사업자정보 확인 link: the FTC's page for this registration number (digits only)."""
    return FTC_LOOKUP_URL.format(digits=brn_digits(business_no)) if business_no else ""


@dataclass(frozen=True)
class MissingItem:
    field: str  # the 상점 설정 field to fill in
    label: str


_REQUIRED = {
    "business_name": _l("Business name"),
    "representative": _l("Representative"),
    "business_no": _l("Business registration number"),
    "mail_order_no": _l("Mail-order business report number"),
    "business_address": _l("Business address"),
    "phone": _l("Contact phone"),
    "email": _l("Contact e-mail"),
    "privacy_officer": _l("Privacy officer"),
    "hosting_provider": _l("Hosting provider"),
}


def missing_items(info: ShopInfo) -> list[MissingItem]:
    """What the law asks the shop to show that the merchant has not filled in yet, in form order.

    Bank transfers are cash payments made in advance, so a shop that takes them
    must also name its 구매안전서비스 (escrow or consumer-protection insurance).
    """
    missing = [MissingItem(name, str(label)) for name, label in _REQUIRED.items() if not getattr(info, name)]
    if info.bank_ready and not info.escrow_provider:
        missing.append(MissingItem("escrow_provider", str(_l("Purchase protection service"))))
    return missing
