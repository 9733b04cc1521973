"""The back-office tabs of the staff console: 照会番号 registrations that need a person, the audit trail, and
administration (linking mode, accounts). A part of the main page, kept apart from the review it sits beside."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.errors import UketsukeError
from kiosk.services.accounts import Actor
from kiosk.ui.staff.catalog import t
from kiosk.ui.staff.services import StaffServices

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str) -> W:
    """Object names let tests and the keyboard find widgets."""
    widget.setObjectName(name)
    return widget


class OfficeTabs:
    """Mixed into the main page, which provides `services`, `actor` and `refresh`."""

    services: StaffServices
    actor: Actor | None

    def refresh(self) -> None:
        raise NotImplementedError

    # -- 照会番号 registrations --------------------------------------------------------------------
    def _reference_tab(self) -> QWidget:
        tab = QWidget()
        column = QVBoxLayout(tab)
        self.references = named(QTableWidget(0, 5), "references")
        self.references.setHorizontalHeaderLabels(["ID", "患者番号", "状態", "内容", "日時"])
        self.references.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        column.addWidget(self.references)
        row = QHBoxLayout()
        for outcome in ("done", "failed", "retry"):
            button = named(QPushButton(t(f"ref.{outcome}")), f"ref_{outcome}")
            button.clicked.connect(lambda _=False, o=outcome: self.resolve_reference(o))
            row.addWidget(button)
        column.addLayout(row)
        self.reference_message = named(QLabel(), "referenceMessage")
        column.addWidget(self.reference_message)
        return tab

    def _refresh_references(self) -> None:
        rows = self.services.console.uncertain_registrations()
        self.references.setRowCount(len(rows))
        for index, row in enumerate(rows):
            values = (str(row.id), row.patient_id, t(f"reference.{row.state}"), row.message or "",
                      f"{row.updated_at:%m-%d %H:%M}")  # fmt: skip
            for column, value in enumerate(values):
                self.references.setItem(index, column, QTableWidgetItem(value))

    def resolve_reference(self, outcome: str) -> None:
        row = self.references.currentRow()
        item = self.references.item(row, 0) if row >= 0 else None
        if item is None or self.actor is None:
            return
        try:
            self.services.review.resolve_reference(int(item.text()), outcome, by=self.actor)
            self.reference_message.setText("OK")
        except UketsukeError as exc:
            self.reference_message.setText(f"{exc.ja} / {exc.en}")
        self.refresh()

    # -- audit -------------------------------------------------------------------------------------
    def _audit_tab(self) -> QWidget:
        tab = QWidget()
        column = QVBoxLayout(tab)
        row = QHBoxLayout()
        verify = named(QPushButton(t("audit.verify")), "auditVerify")
        verify.clicked.connect(self.verify_audit)
        export = named(QPushButton(t("audit.export")), "auditExport")
        export.clicked.connect(self._export_dialog)
        self.audit_message = named(QLabel(), "auditMessage")
        row.addWidget(verify)
        row.addWidget(export)
        row.addWidget(self.audit_message, 1)
        column.addLayout(row)
        self.audit = named(QTableWidget(0, 7), "auditTable")
        self.audit.setHorizontalHeaderLabels(["ID", "日時", "職員", "端末", "操作", "対象", "理由"])
        self.audit.horizontalHeader().setStretchLastSection(True)
        column.addWidget(self.audit)
        return tab

    def _refresh_audit(self) -> None:
        records = self.services.audit.records(limit=300)
        self.audit.setRowCount(len(records))
        for index, record in enumerate(records):
            subject = record.subject or (f"entry {record.entry_id}" if record.entry_id else "")
            values = (str(record.id), f"{record.at:%m-%d %H:%M:%S}", record.actor, record.workstation, record.action,
                      subject, record.reason or "")  # fmt: skip
            for column, value in enumerate(values):
                self.audit.setItem(index, column, QTableWidgetItem(value))

    def verify_audit(self) -> bool:
        count, broken = self.services.audit.verify()
        if broken is None:
            self.audit_message.setText(t("audit.ok", n=count))
            return True
        self.audit_message.setText(t("audit.broken", id=broken.record_id, why=broken.why))
        return False

    def _export_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getSaveFileName(
            self if isinstance(self, QWidget) else None, t("audit.export"), "uketsuke-audit.csv", "CSV (*.csv)")
        if path:
            self.export_audit(Path(path))

    def export_audit(self, path: Path) -> int:
        if self.actor is None:
            return 0
        try:
            count = self.services.console.export_audit(path, by=self.actor)
        except UketsukeError as exc:
            self.audit_message.setText(f"{exc.ja} / {exc.en}")
            return 0
        self.audit_message.setText(f"{count} → {path}")
        return count

    # -- administration ----------------------------------------------------------------------------
    def _admin_tab(self) -> QWidget:
        tab = QWidget()
        column = QVBoxLayout(tab)
        mode_row = QHBoxLayout()
        mode_row.addWidget(QLabel(t("admin.mode")))
        self.mode = named(QComboBox(), "linkingMode")
        for value in ("on", "reference_only", "off"):
            self.mode.addItem(t(f"admin.mode.{value}"), value)
        apply = named(QPushButton(t("admin.mode.apply")), "applyMode")
        apply.clicked.connect(self.apply_mode)
        mode_row.addWidget(self.mode)
        mode_row.addWidget(apply)
        mode_row.addStretch(1)
        column.addLayout(mode_row)
        column.addWidget(QLabel(t("admin.accounts")))
        self.accounts = named(QTableWidget(0, 3), "accounts")
        self.accounts.setHorizontalHeaderLabels([t("login.login"), t("first.name"), t("admin.role")])
        column.addWidget(self.accounts)
        form = QHBoxLayout()
        self.new_login = named(QLineEdit(), "newLogin")
        self.new_login.setPlaceholderText(t("login.login"))
        self.new_name = named(QLineEdit(), "newName")
        self.new_name.setPlaceholderText(t("first.name"))
        self.new_role = named(QComboBox(), "newRole")
        self.new_role.addItems(["clerk", "admin"])
        self.new_secret = named(QLineEdit(), "newSecret")
        self.new_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_secret.setPlaceholderText(t("login.secret"))
        add = named(QPushButton(t("admin.add")), "addAccount")
        add.clicked.connect(self.add_account)
        toggle = named(QPushButton(t("admin.toggle")), "toggleAccount")
        toggle.clicked.connect(self.toggle_account)
        for widget in (self.new_login, self.new_name, self.new_role, self.new_secret, add, toggle):
            form.addWidget(widget)
        column.addLayout(form)
        self.admin_message = named(QLabel(), "adminMessage")
        column.addWidget(self.admin_message)
        column.addStretch(1)
        return tab

    def _refresh_admin(self) -> None:
        accounts = self.services.accounts.accounts()
        self.accounts.setRowCount(len(accounts))
        for index, account in enumerate(accounts):
            for column, value in enumerate((account.login, account.display_name, account.role)):
                self.accounts.setItem(index, column, QTableWidgetItem(value))
        self.mode.setCurrentIndex(max(0, self.mode.findData(self.services.runtime.linking_mode())))

    def _admin_do(self, action: object) -> None:
        try:
            action()  # type: ignore[operator]
            self.admin_message.setText("OK")
        except UketsukeError as exc:
            self.admin_message.setText(f"{exc.ja} / {exc.en}")
        self._refresh_admin()

    def apply_mode(self) -> None:
        actor = self.actor
        if actor is not None:
            self._admin_do(lambda: self.services.runtime.set_linking_mode(str(self.mode.currentData()), by=actor))

    def add_account(self) -> None:
        actor = self.actor
        if actor is None:
            return
        login, name, role, secret = (self.new_login.text().strip(), self.new_name.text().strip(),
                                     self.new_role.currentText(), self.new_secret.text())  # fmt: skip
        self.new_secret.clear()
        self._admin_do(lambda: self.services.accounts.create(login, name or login, role, secret, by=actor))

    def toggle_account(self) -> None:
        row = self.accounts.currentRow()
        item = self.accounts.item(row, 0) if row >= 0 else None
        actor = self.actor
        if item is None or actor is None:
            return
        login = item.text()
        accounts = self.services.accounts
        self._admin_do(lambda: accounts.set_active(login, not accounts.is_active(login), by=actor))
