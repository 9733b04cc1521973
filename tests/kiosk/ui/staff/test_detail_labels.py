"""The 保険・公費 details as staff read them: real element names (research oqs-interface.md §2.3–2.4), 割 for
ratios, and codes with their meaning (issue 17)."""

from __future__ import annotations

from kiosk.ui.staff.catalog import DETAIL_CODES, DETAIL_LABELS, detail_value


def test_ratios_are_shown_as_wari() -> None:
    assert detail_value("InsuredPartialContributionRatio", "030") == "3割"
    assert detail_value("ElderlyRecipientContributionRatio", "020") == "2割"
    assert detail_value("InsuredPartialContributionRatio", "010") == "1割"
    assert detail_value("InsuredPartialContributionRatio", "015") == "15%"


def test_codes_are_shown_with_their_meaning() -> None:
    assert detail_value("TicketType", "02") == "調剤券（02）"
    assert detail_value("InsuredCardClassification", "A1") == "医療扶助（A1）"
    assert detail_value("LimitApplicationCertificateClassificationFlag", "A03") == "ウ（A03）"
    assert detail_value("ReasonOfLoss", "03") == "医療保険等の資格取得（03）"
    assert detail_value("TicketType", "99") == "99"  # unknown: as sent
    assert detail_value("InsurerName", "試験健康保険組合") == "試験健康保険組合"


def test_only_element_names_that_real_files_use() -> None:
    invented = {"PublicExpensesPayerNumber", "PublicExpensesRecipientNumber", "MedicalTicketType",
                "SpecificDiseasesCertificateRelatedInfo"}  # fmt: skip
    assert not invented & set(DETAIL_LABELS)
    for real in ("TicketType", "SpecificDiseasesCertificateList", "SpecificDiseasesCertificateInfo",
                 "PublicExpenseNumber", "BeneficiaryNumber", "WelfareOfficeName", "DisqualificationDate"):  # fmt: skip
        assert real in DETAIL_LABELS
    assert set(DETAIL_CODES) <= set(DETAIL_LABELS)
