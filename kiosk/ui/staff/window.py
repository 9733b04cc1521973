"""The staff console window: login (per clerk), today's list beside the review panel, 照会番号 registrations,
the audit trail and administration. It follows the store live (LISTEN/NOTIFY or SQLite's data_version)
and locks itself after inactivity."""

from __future__ import annotations

import contextlib
import threading

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QSystemTrayIcon,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from kiosk.core.errors import UketsukeError
from kiosk.logsetup import get_logger
from kiosk.services.accounts import AccountService, Actor
from kiosk.services.staff_console import AlertView
from kiosk.store.changes import ChangeWatcher
from kiosk.ui.staff.appointments_tab import AppointmentsTab
from kiosk.ui.staff.catalog import alert_reason, t
from kiosk.ui.staff.chime import Chime
from kiosk.ui.staff.models import CrListFilter, CrListModel
from kiosk.ui.staff.office_tabs import OfficeTabs, named
from kiosk.ui.staff.review_panel import ReviewPanel
from kiosk.ui.staff.services import StaffServices as StaffServices  # re-exported: the window's one input

log = get_logger("uketsuke.staff")
CALLED = "I-CALL-01"  # the kiosk's 係員を呼ぶ (kiosk/core/kiosk_states.Reason.CALLED)
NAME_COLUMN, NAME_WIDTH = 1, 260

class ChangeListener(QObject):
    """Waits for store changes in its own thread; `changed` arrives in the GUI thread (queued)."""

    changed = Signal()

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="staff-changes", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        watcher: ChangeWatcher | None = None
        while not self._stop.is_set():
            try:
                if watcher is None:
                    watcher = ChangeWatcher(self.engine)
                if watcher.wait(0.5):
                    self.changed.emit()
            except Exception:  # the store is away: try again shortly, the window shows what it last knew
                if watcher is not None:
                    with contextlib.suppress(Exception):  # the connection is already broken
                        watcher.close()
                watcher = None
                self._stop.wait(2.0)
        if watcher is not None:
            watcher.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=3)


class LoginPage(QWidget):
    logged_in = Signal(object)  # Actor

    def __init__(self, accounts: AccountService) -> None:
        super().__init__()
        self.accounts = accounts
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.title = QLabel()
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.title)
        form = QFormLayout()
        self.login = named(QLineEdit(), "login")
        self.name = named(QLineEdit(), "displayName")
        self.secret = named(QLineEdit(), "secret")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.again = named(QLineEdit(), "secretAgain")
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(t("login.login"), self.login)
        self.name_label = QLabel(t("first.name"))
        form.addRow(self.name_label, self.name)
        form.addRow(t("login.secret"), self.secret)
        self.again_label = QLabel(t("first.again"))
        form.addRow(self.again_label, self.again)
        layout.addLayout(form)
        self.go = named(QPushButton(), "loginButton")
        self.go.clicked.connect(self.submit)
        self.secret.returnPressed.connect(self.submit)
        self.again.returnPressed.connect(self.submit)
        layout.addWidget(self.go)
        self.message = named(QLabel(), "loginMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        layout.addStretch(2)
        self.reset()

    def reset(self, message: str = "") -> None:
        first = not self.accounts.has_accounts()
        self.first = first
        self.title.setText(t("first.title") if first else t("login.title"))
        for widget in (self.name, self.name_label, self.again, self.again_label):
            widget.setVisible(first)
        self.go.setText(t("first.go") if first else t("login.go"))
        self.secret.clear()
        self.again.clear()
        self.message.setText(message)
        self.login.setFocus()

    def submit(self) -> None:
        login, secret = self.login.text().strip(), self.secret.text()
        try:
            if self.first:
                if secret != self.again.text():
                    self.message.setText(t("first.mismatch"))
                    return
                self.accounts.create(login, self.name.text().strip() or login, "admin", secret, by=None)
            actor = self.accounts.authenticate(login, secret)
        except UketsukeError as exc:
            self.message.setText(f"{exc.ja} / {exc.en}")
            return
        finally:
            self.secret.clear()
            self.again.clear()
        if actor is None:
            self.message.setText(t("login.failed"))
            return
        self.message.setText("")
        self.logged_in.emit(actor)


class MainPage(QWidget, OfficeTabs):
    lock_requested = Signal()

    def __init__(self, services: StaffServices) -> None:
        super().__init__()
        self.services = services
        self.actor: Actor | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.who = named(QLabel(), "who")
        top.addWidget(self.who)
        top.addStretch(1)
        self.banner = named(QPushButton(), "alertsBanner")
        self.banner.clicked.connect(lambda: self.todo.setCurrentIndex(1))
        top.addWidget(self.banner)
        lock = named(QPushButton(t("lock")), "lockButton")
        lock.clicked.connect(self.lock_requested.emit)
        top.addWidget(lock)
        layout.addLayout(top)
        self.tabs = named(QTabWidget(), "tabs")
        layout.addWidget(self.tabs)
        self.tabs.addTab(self._list_tab(), t("tab.list"))
        self.tabs.addTab(self._reference_tab(), t("tab.reference"))
        self.tabs.addTab(self._audit_tab(), t("tab.audit"))
        self.appointments: AppointmentsTab | None = None
        if services.appointments is not None:
            self.appointments = AppointmentsTab(services.appointments, lambda: self.actor)
            self.tabs.addTab(self.appointments, t("tab.appointments"))
        self.admin = self._admin_tab()
        self.known_todo: set[int] = set()
        self.known_alerts: set[int] = set()
        self.alert_views: dict[int, AlertView] = {}
        self.chime = Chime()
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(self)
            self.tray.setIcon(self.style().standardIcon(self.style().StandardPixmap.SP_MessageBoxInformation))
            self.tray.show()

    # -- the list ---------------------------------------------------------------------------------
    def _list_tab(self) -> QWidget:
        tab = QWidget()
        column = QVBoxLayout(tab)
        filters = QHBoxLayout()
        self.todo = named(QComboBox(), "statusFilter")
        self.todo.addItems([t("filter.all"), t("filter.todo")])
        self.todo.currentIndexChanged.connect(lambda i: self._filter(todo_only=i == 1))
        self.search = named(QLineEdit(), "search")
        self.search.setPlaceholderText(t("search"))
        self.search.textChanged.connect(lambda text: self._filter(search=text))
        filters.addWidget(self.todo)
        filters.addWidget(self.search, 1)
        column.addLayout(filters)
        alerts_row = QHBoxLayout()
        self.alerts = named(QListWidget(), "alerts")
        self.alerts.setMaximumHeight(70)
        self.alerts.setToolTip(t("alerts.tip"))
        self.alerts.itemClicked.connect(self._alert_chosen)
        self.alerts.itemActivated.connect(self._alert_chosen)
        clear = self.clear_button = named(QPushButton(t("alerts.clear")), "clearAlert")
        clear.clicked.connect(self.clear_alert)
        alerts_row.addWidget(self.alerts, 1)
        alerts_row.addWidget(clear)
        column.addLayout(alerts_row)
        self.unreadable = named(QListWidget(), "unreadableFiles")
        self.unreadable.setMaximumHeight(60)
        self.unreadable.setStyleSheet("color: #8A1C1C;")
        column.addWidget(self.unreadable)
        splitter = QSplitter()
        self.model = CrListModel()
        self.proxy: CrListFilter = CrListFilter(self.model)
        self.table = named(QTableView(), "crList")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the service's order (newest first) until asked
        self.table.setWordWrap(False)
        self.table.selectionModel().currentRowChanged.connect(self._entry_chosen)
        splitter.addWidget(self.table)
        self.panel = ReviewPanel(self.services.console, self.services.review)
        self.panel.acted.connect(lambda _message: self.refresh())
        splitter.addWidget(self.panel)
        splitter.setSizes([740, 860])
        column.addWidget(splitter, 1)
        # keyboard-first: in the list (and in the candidates), Enter links the chosen candidate and 1–5 choose one
        for widget in (self.table, self.panel.candidates):
            for keys, handler in (("Return", self.panel.link), ("Enter", self.panel.link),
                                  ("Ctrl+Return", lambda: self.panel.link(register=True)),
                                  ("Ctrl+N", self.panel.new_patient), ("Ctrl+R", self.panel.reject),
                                  ("Ctrl+U", self.panel.unlink), ("Ctrl+Z", self.panel.undo),
                                  ("Ctrl+D", self.panel.duplicate)):  # fmt: skip
                shortcut = QShortcut(QKeySequence(keys), widget)
                shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
                shortcut.activated.connect(handler)
        for number in range(1, 6):
            shortcut = QShortcut(QKeySequence(str(number)), self.table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(lambda n=number: self.panel.select_candidate(n))
        find = QShortcut(QKeySequence("Ctrl+F"), tab)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.activated.connect(self.find_patient)
        insurance = QShortcut(QKeySequence("Ctrl+I"), tab)
        insurance.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        insurance.activated.connect(lambda: self.panel.pages.setCurrentWidget(self.panel.insurance))
        return tab

    def find_patient(self) -> None:
        """Ctrl+F: the registry search of the open entry (a patient the matcher did not find)."""
        if self.panel.detail is None:
            return
        self.panel.pages.setCurrentIndex(0)
        self.panel.search.start()

    def _filter(self, *, todo_only: bool | None = None, search: str | None = None) -> None:
        self.proxy.set_filter(todo_only=todo_only, search=search)

    def _entry_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        entry_id = self.proxy.data(current, Qt.ItemDataRole.UserRole) if current.isValid() else None
        self.panel.show_entry(entry_id)

    def select_entry(self, entry_id: int) -> bool:
        row = self.model.row_of(entry_id)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False
        self.table.setCurrentIndex(index)
        self.table.setFocus()
        return True

    def refresh(self) -> None:
        current = self.panel.detail.row.entry_id if self.panel.detail is not None else None
        rows = self.services.console.rows()
        self.model.replace(rows)  # the proxy keeps its filter and sort order across the live update
        self._fit_columns()
        if current is not None and not self.select_entry(current):
            self.panel.show_entry(None)
        problems = self.services.console.folder_problems()
        self.unreadable.clear()
        self.unreadable.setVisible(bool(problems))
        for problem in problems:
            self.unreadable.addItem(t("unreadable", name=problem.name, reason=problem.reason))
        alerts = self.services.console.alerts()
        self.alert_views = {a.alert_id: a for a in alerts}
        self.alerts.clear()
        self.alerts.setVisible(bool(alerts))
        self.clear_button.setVisible(bool(alerts))
        for alert in alerts:
            item = QListWidgetItem(t("alerts.line", time=f"{alert.created_at:%H:%M}", kiosk=alert.source,
                                     who=f"{alert.who} 様" if alert.who else t("alerts.unknown_patient"),
                                     why=alert_reason(alert.code)))  # fmt: skip
            item.setData(Qt.ItemDataRole.UserRole, alert.alert_id)
            self.alerts.addItem(item)
        # one patient may have a waiting kiosk and an alert: count people, not signals
        people = {f"file{r.face_file_id}" for r in rows if r.kiosk_waiting}
        people |= {f"file{a.face_file_id}" if a.face_file_id else f"alert{a.alert_id}" for a in alerts}
        count = len(people)
        self.banner.setText(t("alerts", n=count) if count else t("alerts.none"))
        self.banner.setStyleSheet("background:#FFF3CC; font-weight:bold;" if count else "")
        todo = {r.entry_id for r in rows if r.status in ("needs_review", "no_match")}
        fresh = (todo - self.known_todo) | ({a.alert_id for a in alerts} - self.known_alerts)
        if fresh and (self.known_todo or self.known_alerts or self.actor is not None):
            self.notify(t("alerts", n=count))
        if any(a.code == CALLED and a.alert_id not in self.known_alerts for a in alerts):
            self.chime.play()  # 係員を呼ぶ: a sound as well as the line
        self.known_todo, self.known_alerts = todo, {a.alert_id for a in alerts}
        self._refresh_references()
        self._refresh_audit()
        if self.appointments is not None:
            self.appointments.refresh()

    def _fit_columns(self) -> None:
        """Columns as wide as their content, the name at most NAME_WIDTH (the full name is in its tooltip)."""
        self.table.resizeColumnsToContents()
        if self.table.columnWidth(NAME_COLUMN) > NAME_WIDTH:
            self.table.setColumnWidth(NAME_COLUMN, NAME_WIDTH)

    def _alert_chosen(self, item: QListWidgetItem) -> None:
        """Clicking an alert opens its patient's row (showing all rows if a filter hid it)."""
        alert = self.alert_views.get(int(item.data(Qt.ItemDataRole.UserRole)))
        if alert is None:
            return
        entry_id = self.model.entry_for(alert.face_file_id, alert.patient_id)
        if entry_id is None:
            self.panel.message.setText(t("alerts.not_in_list"))
            return
        if not self.select_entry(entry_id):
            self.todo.setCurrentIndex(0)
            self.search.clear()
            self.select_entry(entry_id)
        self.alerts.setCurrentItem(item)  # "対応済みにする" still applies to this alert

    def notify(self, message: str) -> None:
        if self.tray is not None:
            self.tray.showMessage(t("title"), message)
        QApplication.alert(self.window(), 3000)

    def clear_alert(self) -> None:
        item = self.alerts.currentItem()
        if item is not None and self.actor is not None:
            try:
                self.services.console.clear_alert(int(item.data(Qt.ItemDataRole.UserRole)), by=self.actor)
            except UketsukeError as exc:  # e.g. the account was deactivated while signed in
                self.panel.message.setText(f"{exc.ja} / {exc.en}")
            self.refresh()

    # -- session -----------------------------------------------------------------------------------
    def start(self, actor: Actor) -> None:
        self.actor = actor
        self.panel.actor = actor
        self.who.setText(f"{actor.display_name}（{actor.login} / {actor.role}）")
        index = self.tabs.indexOf(self.admin)
        if actor.is_admin and index < 0:
            self.tabs.addTab(self.admin, t("tab.admin"))
            self._refresh_admin()
        elif not actor.is_admin and index >= 0:
            self.tabs.removeTab(index)
        self.refresh()
        self.table.setFocus()

    def wipe(self) -> None:
        self.actor = None
        self.panel.actor = None
        self.panel.clear()
        self.model.clear()
        self.alerts.clear()
        self.references.setRowCount(0)
        self.audit.setRowCount(0)
        self.accounts.setRowCount(0)
        self.search.clear()
        self.who.setText("")


class StaffWindow(QMainWindow):
    def __init__(self, services: StaffServices, *, auto_lock_seconds: float = 300, live: bool = True) -> None:
        super().__init__()
        self.services = services
        self.setWindowTitle(t("title"))
        self.stack = QStackedWidget()
        self.login = LoginPage(services.accounts)
        self.main = MainPage(services)
        self.stack.addWidget(self.login)
        self.stack.addWidget(self.main)
        self.setCentralWidget(self.stack)
        self.login.logged_in.connect(self._logged_in)
        self.main.lock_requested.connect(lambda: self.lock(""))
        self.idle = QTimer(self, singleShot=True, interval=int(auto_lock_seconds * 1000))
        self.idle.timeout.connect(lambda: self.lock(t("login.locked")))
        self._debounce = QTimer(self, singleShot=True, interval=150)
        self._debounce.timeout.connect(self._changed)
        self._closed = False
        self.listener = ChangeListener(services.engine) if live else None
        if self.listener is not None:
            self.listener.changed.connect(self._debounce.start)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    @property
    def actor(self) -> Actor | None:
        return self.main.actor

    def _logged_in(self, actor: Actor) -> None:
        self.main.start(actor)
        self.stack.setCurrentWidget(self.main)
        self.idle.start()

    def lock(self, message: str) -> None:
        """Back to the login page; nothing of the patients stays on screen."""
        self.main.wipe()
        self.login.reset(message)
        self.stack.setCurrentWidget(self.login)
        self.idle.stop()

    def _changed(self) -> None:
        if self.main.actor is None or self._closed:
            return
        try:
            self.main.refresh()
        except Exception as exc:  # the store is away: say so and keep what is on screen; the next change retries
            log.warning("staff_refresh_failed", error=type(exc).__name__)
            self.main.banner.setText("データベースに接続できません / the store cannot be reached")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress) and self.main.actor is not None:
            self.idle.start()
        return False

    def closeEvent(self, event: QCloseEvent) -> None:
        self._closed = True
        self._debounce.stop()
        self.idle.stop()
        if self.listener is not None:
            self.listener.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        event.accept()
