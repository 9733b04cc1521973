"""Who may do what at the reception desk: the role rules, decided here once and checked by the services.

The staff console hides buttons a role may not use, but that is convenience: every service that writes on behalf
of a person takes an `Actor` (never a bare string) and checks it against the store's account — active, with a role
that allows the action — before it changes anything. The rules (README, "職員の役割"):

- clerk (受付): everything a reception desk does during the day — link, reject, unlink (with a reason; it cancels
  the reception it caused), undo, create a patient from a face result, mark duplicate charts, accept or reject a
  conflicting file, request or settle a 照会番号 registration, clear kiosk alerts, open a patient's detail, check a
  patient in against a 予約 or mark it cancelled / no-show.
- admin (管理者): all of the clerk's, plus what changes how the product behaves or who uses it — the automatic
  linking mode, staff accounts, and exporting the audit trail (it holds every patient's history).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    VIEW_PATIENT = "view_patient"
    LINK = "link"
    REJECT = "reject"
    UNLINK = "unlink"
    UNDO = "undo"
    CREATE_PATIENT = "create_patient"
    MARK_DUPLICATE = "mark_duplicate"
    RESOLVE_CONFLICT = "resolve_conflict"
    REQUEST_REFERENCE = "reference_request"
    RESOLVE_REFERENCE = "reference_resolve"
    CLEAR_ALERT = "alert_clear"
    APPOINTMENT = "appointment"  # 予約: check a patient in, cancel, mark no-show
    SET_LINKING_MODE = "set_linking_mode"
    MANAGE_ACCOUNTS = "manage_accounts"
    EXPORT_AUDIT = "export_audit"


ROLES = ("clerk", "admin")
CLERK_ACTIONS = frozenset(
    {Action.VIEW_PATIENT, Action.LINK, Action.REJECT, Action.UNLINK, Action.UNDO, Action.CREATE_PATIENT,
     Action.MARK_DUPLICATE, Action.RESOLVE_CONFLICT, Action.REQUEST_REFERENCE, Action.RESOLVE_REFERENCE,
     Action.CLEAR_ALERT, Action.APPOINTMENT}
)  # fmt: skip
PERMISSIONS: dict[str, frozenset[Action]] = {
    "clerk": CLERK_ACTIONS,
    "admin": CLERK_ACTIONS | {Action.SET_LINKING_MODE, Action.MANAGE_ACCOUNTS, Action.EXPORT_AUDIT},
}


def allowed(role: str, action: Action) -> bool:
    """An unknown role may do nothing."""
    return action in PERMISSIONS.get(role, frozenset())


@dataclass(frozen=True)
class Actor:
    """A signed-in member of staff, as the account service returned them at login. The services look the login up
    again before each write, so a deactivated or demoted account stops working at once, whatever this object says."""

    login: str
    display_name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def may(self, action: Action) -> bool:
        """For the UI's buttons only; the services decide from the store."""
        return allowed(self.role, action)
