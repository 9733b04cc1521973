"""The face result's other elements as a tree (everything the file said, labelled as staff know it), and the
qualification in words."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

from kiosk.core.qualification import Qualification, validity_words
from kiosk.ui.staff.catalog import DETAIL_LABELS, detail_value, t

# shown in the header and the comparison already
IDENTITY_TAGS = frozenset({
    "Name", "NameKana", "Birthdate", "Sex1", "Sex2", "InsurerNumber", "InsuredCardSymbol",
    "InsuredIdentificationNumber", "InsuredBranchNumber", "Address", "PostNumber", "ReferenceNumber", "NameOfOther",
    "NameOfOtherKana", "MessageBody",
})  # fmt: skip


def qualification_line(qualification: str | None, code: str | None, details: dict[str, Any]) -> str:
    """The qualification in words, with the code's meaning (research §2.2)."""
    if qualification == Qualification.VALID.value:
        return t("qual.valid")
    if qualification == Qualification.LAPSED.value:
        return t("qual.lapsed", date=details.get("DisqualificationDate") or "")
    if qualification is None:
        return t("qual.none")
    return t("qual.invalid", meaning=validity_words(code), code=code or "-")


def flatten(details: dict[str, Any], parent: QTreeWidgetItem | QTreeWidget) -> None:
    for key, value in details.items():
        if key in IDENTITY_TAGS or value in (None, "", [], {}):
            continue
        label = DETAIL_LABELS.get(key, key)
        if isinstance(value, dict):
            item = QTreeWidgetItem([label, ""])
            flatten(value, item)
        elif isinstance(value, list):
            item = QTreeWidgetItem([label, ""])
            for index, element in enumerate(value, 1):
                child = QTreeWidgetItem([str(index), "" if isinstance(element, dict) else str(element)])
                if isinstance(element, dict):
                    flatten(element, child)
                item.addChild(child)
        else:
            item = QTreeWidgetItem([label, detail_value(key, str(value))])
        if isinstance(parent, QTreeWidget):
            parent.addTopLevelItem(item)
        else:
            parent.addChild(item)
