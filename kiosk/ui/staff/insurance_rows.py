"""The 保険・公費 panel's content, as rows a clerk transcribes into the レセコン: no Qt here, so the choice of
fields and their wording are tested on their own. Sources: the face result's elements (research
oqs-interface.md §2.3–2.4); 医療扶助 (被保険者証区分 A1) carries 公費負担者番号 in InsurerNumber and 受給者番号 in
InsuredIdentificationNumber (§2.5)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.core.birthdates import wareki
from kiosk.core.face import parse_yyyymmdd
from kiosk.ui.staff.catalog import detail_value

PUBLIC_ASSISTANCE = "A1"


@dataclass(frozen=True)
class InsuranceRow:
    section: str
    label: str
    value: str  # what is shown and copied; "" when the file says nothing
    key: str  # stable name (tests, the copy button's object name)
    alarm: bool = False  # shown in red: the clerk must act on it

    @property
    def copy_text(self) -> str:
        """What the copy button puts on the clipboard: a date as YYYY/MM/DD (the part in brackets), else the value."""
        if self.value.endswith("）") and "（" in self.value and self.value[-11:-1].count("/") == 2:
            return self.value[-11:-1]
        return self.value


def _date(text: object) -> str:
    day = parse_yyyymmdd(str(text)) if text else None
    return f"{wareki(day)}（{day:%Y/%m/%d}）" if day else (str(text).strip() if text else "")


def _plain(value: object) -> str:
    return str(value).strip() if value not in (None, "") else ""


def _coded(key: str, value: object) -> str:
    return detail_value(key, str(value)) if value not in (None, "") else ""


def _list(value: Any, inner: str) -> list[dict[str, Any]]:
    """A repeated element as the parser keeps it: a list, a dict holding the list, or one dict."""
    if isinstance(value, dict) and inner in value:
        value = value[inner]
    if isinstance(value, dict):
        return [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def insurance_rows(details: dict[str, Any], qualification_text: str, qualification_ok: bool) -> list[InsuranceRow]:
    """Every field a clerk transcribes, in the order of the paper card, then 高齢受給者・限度額・特定疾病・医療扶助."""
    d = details
    assistance = d.get("InsuredCardClassification") == PUBLIC_ASSISTANCE
    rows = [InsuranceRow("資格", "資格の状態", qualification_text, "qualification", not qualification_ok)]
    if assistance:
        main = "医療扶助"
        rows += [
            InsuranceRow(main, "公費負担者番号", _plain(d.get("InsurerNumber")), "public_number"),
            InsuranceRow(main, "受給者番号", _plain(d.get("InsuredIdentificationNumber")), "recipient_number"),
            InsuranceRow(main, "福祉事務所", _plain(d.get("InsurerName")), "welfare_office"),
            InsuranceRow(main, "資格取得日", _date(d.get("QualificationDate")), "qualified_on"),
        ]
    else:
        main = "保険"
        rows += [
            InsuranceRow(main, "保険者番号", _plain(d.get("InsurerNumber")), "insurer_number"),
            InsuranceRow(main, "記号", _plain(d.get("InsuredCardSymbol")), "symbol"),
            InsuranceRow(main, "番号", _plain(d.get("InsuredIdentificationNumber")), "number"),
            InsuranceRow(main, "枝番", _plain(d.get("InsuredBranchNumber")), "branch"),
            InsuranceRow(main, "本人・家族", _coded("PersonalFamilyClassification",
                                                 d.get("PersonalFamilyClassification")), "person_family"),
            InsuranceRow(main, "負担割合", _coded("InsuredPartialContributionRatio",
                                              d.get("InsuredPartialContributionRatio")), "ratio"),
            InsuranceRow(main, "資格取得日", _date(d.get("QualificationDate")), "qualified_on"),
            InsuranceRow(main, "有効期限", _date(d.get("InsuredCardExpirationDate")), "valid_until"),
            InsuranceRow(main, "保険者名称", _plain(d.get("InsurerName")), "insurer_name"),
            InsuranceRow(main, "被保険者証区分", _coded("InsuredCardClassification",
                                                   d.get("InsuredCardClassification")), "card_kind"),
        ]  # fmt: skip
        if d.get("DisqualificationDate"):
            rows.append(InsuranceRow(main, "資格喪失日", _date(d.get("DisqualificationDate")), "lost_on", True))
    elderly = d.get("ElderlyRecipientCertificateInfo")
    if isinstance(elderly, dict) and elderly:
        section = "高齢受給者証"
        rows += [
            InsuranceRow(section, "負担割合", _coded("ElderlyRecipientContributionRatio",
                                                 elderly.get("ElderlyRecipientContributionRatio")), "elderly_ratio"),
            InsuranceRow(section, "有効開始", _date(elderly.get("ElderlyRecipientValidStartDate")), "elderly_from"),
            InsuranceRow(section, "有効終了", _date(elderly.get("ElderlyRecipientValidEndDate")), "elderly_until"),
        ]  # fmt: skip
    limit = d.get("LimitApplicationCertificateRelatedInfo")
    if isinstance(limit, dict) and limit:
        section = "限度額適用認定証"
        rows += [
            InsuranceRow(section, "認定証区分", _coded("LimitApplicationCertificateClassification",
                                                  limit.get("LimitApplicationCertificateClassification")),
                         "limit_kind"),
            InsuranceRow(section, "適用区分", _coded("LimitApplicationCertificateClassificationFlag",
                                                 limit.get("LimitApplicationCertificateClassificationFlag")),
                         "limit_class"),
            InsuranceRow(section, "有効開始", _date(limit.get("LimitApplicationCertificateValidStartDate")),
                         "limit_from"),
            InsuranceRow(section, "有効終了", _date(limit.get("LimitApplicationCertificateValidEndDate")),
                         "limit_until"),
        ]  # fmt: skip
        if limit.get("LimitApplicationCertificateLongTermDate"):
            rows.append(InsuranceRow(section, "長期入院該当", _date(limit["LimitApplicationCertificateLongTermDate"]),
                                     "limit_long_term"))  # fmt: skip
    for n, disease in enumerate(_list(d.get("SpecificDiseasesCertificateList"), "SpecificDiseasesCertificateInfo"), 1):
        section = f"特定疾病療養受療証 {n}"
        rows += [
            InsuranceRow(section, "認定疾病", _coded("SpecificDiseasesDiseaseCategory",
                                                 disease.get("SpecificDiseasesDiseaseCategory")), f"disease{n}"),
            InsuranceRow(section, "自己負担限度額", _plain(disease.get("SpecificDiseasesSelfPay")),
                         f"disease{n}_limit"),
            InsuranceRow(section, "有効開始", _date(disease.get("SpecificDiseasesValidStartDate")), f"disease{n}_from"),
            InsuranceRow(section, "有効終了", _date(disease.get("SpecificDiseasesValidEndDate")), f"disease{n}_until"),
        ]  # fmt: skip
    for n, ticket in enumerate(_list(d.get("PublicExpenseResultList"), "MedicalTicketInfo"), 1):
        section = f"医療扶助 医療券・調剤券 {n}"
        rows += [
            InsuranceRow(section, "券種", _coded("TicketType", ticket.get("TicketType")), f"ticket{n}_kind"),
            InsuranceRow(section, "診療年月", _plain(ticket.get("MedicalTreatmentMonth")), f"ticket{n}_month"),
            InsuranceRow(section, "交付番号", _plain(ticket.get("IssueNumber")), f"ticket{n}_issue"),
            InsuranceRow(section, "診療別", _coded("MedicalTreatmentType", ticket.get("MedicalTreatmentType")),
                         f"ticket{n}_type"),
            InsuranceRow(section, "単独・併用", _coded("SingleOrCombinedUse", ticket.get("SingleOrCombinedUse")),
                         f"ticket{n}_use"),
            InsuranceRow(section, "本人支払額", _plain(ticket.get("SelfPayAmount")), f"ticket{n}_self_pay"),
            InsuranceRow(section, "指定医療機関", _coded("DesignatedMedicalInstitutionFlag",
                                                   ticket.get("DesignatedMedicalInstitutionFlag")),
                         f"ticket{n}_institution", ticket.get("DesignatedMedicalInstitutionFlag") == "1"),
        ]  # fmt: skip
    return rows
