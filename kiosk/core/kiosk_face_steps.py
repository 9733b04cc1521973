"""The マイナ path's steps: which face result is this patient's (face_binding.py), claiming it, the patient's
はい/いいえ, and waiting for staff when the link needs them."""

from __future__ import annotations

from datetime import date

from kiosk.core.face_binding import Offer, Window, offer_for_birthdate, offer_without_birthdate, window
from kiosk.core.kiosk_flow_base import FlowBase
from kiosk.core.kiosk_ports import FaceResult, Link, LinkState, PatientLabel
from kiosk.core.kiosk_states import Reason, Screen


class FaceSteps(FlowBase):
    def _window(self) -> Window:
        visit = self.visit
        return window(visit.started_at, visit.asked_at or visit.started_at, self.clock.now(),
                      lead=self.timings.face_lead, length=self.timings.face_window)  # fmt: skip

    def _results(self, birthdate: date | None = None) -> list[FaceResult]:
        """Unclaimed results in this patient's window. The desk gives nothing personal of them (a birthdate only
        when the patient typed it); the name comes only once one is bound and claimed."""
        found = self._window()
        return [r for r in self.desk.face_results(found.since, found.until, birthdate) if found.holds(r)]

    def _look_for_face(self) -> None:
        visit = self.visit
        results = self._results(visit.entered_birthdate if self.screen is Screen.PICK_BIRTHDATE else None)
        if self.screen is Screen.PICK_BIRTHDATE:
            visit.choices = results
            if visit.entered_birthdate is not None and results:
                # the patient typed their birthdate before their own result was written: it may be here now
                self._bind(offer_for_birthdate(results, visit.entered_birthdate), quiet=True)
            elif not results and self._expired(self.clock.now()):
                self._counter(Reason.FACE_TIMEOUT)
            return
        offer = offer_without_birthdate(results, self.face_binding, visit.asked_at or visit.started_at)
        if offer.result is not None:
            self._bind(offer)
        elif offer.ask_birthdate:
            visit.choices = results
            self._go(Screen.PICK_BIRTHDATE, deadline=self._remaining())
        elif self._expired(self.clock.now()):
            self._counter(Reason.FACE_TIMEOUT)

    def _pick_by_birthdate(self, day: date) -> None:
        visit = self.visit
        visit.entered_birthdate = day
        visit.choices = self._results(day)
        offer = offer_for_birthdate(visit.choices, day)
        if offer.result is None and not offer.ambiguous:
            visit.attempts += 1
            if visit.attempts >= 2:
                self._counter(Reason.BIRTHDATE)
            else:
                visit.notice = "birth.retry"
                self._changed()
            return
        self._bind(offer)

    def _bind(self, offer: Offer, *, quiet: bool = False) -> None:
        """Claim the one result the rule allows for this session; only then does its (masked) name appear."""
        if offer.ambiguous:
            self._counter(Reason.FACE_AMBIGUOUS)
            return
        result = offer.result
        if result is None:
            return
        if self.desk.claim(result.face_file_id, self.visit.session_id):
            self.visit.face = self.desk.claimed_result(result.face_file_id, self.visit.session_id) or result
            self.visit.choices = []
            self._go(Screen.CONFIRM_PERSON)
        elif not quiet:
            self._changed()  # another kiosk took it a moment ago; the list refreshes

    def _confirmed(self, yes: bool) -> None:
        face = self.visit.face
        assert face is not None
        if not yes:
            self.desk.release(face.face_file_id, self.visit.session_id)
            self._counter(Reason.NOT_ME)  # the alert names the result, so staff see whom the patient was shown
            self.visit.face = None
            return
        self._after_link(self.desk.confirm(face.face_file_id, self.visit.session_id), waiting_allowed=True)

    def _check_link(self) -> None:
        face = self.visit.face
        assert face is not None
        link = self.desk.link_state(face.face_file_id)
        if link.state is LinkState.WAITING and self._expired(self.clock.now()):
            self._counter(Reason.REVIEW_TIMEOUT)
            return
        self._after_link(link, waiting_allowed=False)

    def _after_link(self, link: Link, *, waiting_allowed: bool) -> None:
        if link.state is LinkState.LINKED and link.patient_id is not None:
            self.visit.patient = self.desk.label(link.patient_id) or PatientLabel(link.patient_id, None, None)
            self._choose_department()
        elif link.state is LinkState.REJECTED:
            self._counter(Reason.REJECTED)
        elif link.state is LinkState.NOT_COVERED:
            self._counter(Reason.QUALIFICATION)
        elif waiting_allowed:
            self._go(Screen.CHECKING, deadline=self.timings.review_wait)
