"""The card paths' steps: an IC or magnetic 診察券, a My Number card with its PIN counter (never tried at one try
left), and a card pulled out in the middle."""

from __future__ import annotations

from kiosk.core.kiosk_flow_base import FlowBase
from kiosk.core.kiosk_ports import CardEvent, CardFailure, CardIdentity, CardKind, CardRead
from kiosk.core.kiosk_states import Reason, Screen


class CardSteps(FlowBase):
    def _card_event(self, event: CardEvent) -> None:
        if isinstance(event, CardRead) and event.kind is not CardKind.MAGNETIC:
            self.visit.card_on_reader = True
        if isinstance(event, CardFailure):
            self._card_failure(event)
        elif isinstance(event, CardIdentity):
            if self.screen is Screen.READING:
                patient = self.desk.patient_for_identity(event.identity)
                if patient is None:
                    self._counter(Reason.NO_MATCH)
                else:
                    self.visit.patient = patient
                    self._identified_by_card()
        elif event.kind is CardKind.MYNUMBER:
            # A My Number card put on the kiosk's reader starts its own path, even from the start screen.
            waiting = self.screen is Screen.CARD_WAIT and self.visit.path == "mynumber"
            if waiting or (self.mynumber_reader and self.screen in (Screen.WELCOME, Screen.METHOD)):
                if self.screen is Screen.WELCOME:
                    self.start()
                self.visit.path = "mynumber"
                self._pin_counter(event.tries_left)
        elif self.screen in (Screen.WELCOME, Screen.METHOD, Screen.CARD_WAIT):
            if self.screen is Screen.WELCOME:
                self.start()
            self.visit.path = "card"
            self.visit.card = event
            patient = self.desk.patient_for_card(event.card_id or "")
            if patient is None:
                self._counter(Reason.CARD_UNKNOWN)
                return
            self.visit.patient = patient
            self._identified_by_card()
        else:
            self.cards.answer(event, None)  # a card read in the middle of another step is not ours to use

    def _pin_counter(self, tries: int | None) -> None:
        self.visit.tries_left = tries
        if tries is None or tries <= 0:
            self._counter(Reason.PIN_LOCKED)
        elif tries == 1:
            self._counter(Reason.PIN_LAST_TRY)
        else:
            self._go(Screen.PIN_ENTRY)

    def _card_failure(self, failure: CardFailure) -> None:
        if failure.code == "removed":
            self.visit.card_on_reader = False
            if self.screen is Screen.TAKE_CARD:
                self._go(Screen.DONE, deadline=self.timings.done_return)
                return
        if failure.code == "wrong_pin" and self.screen is Screen.READING:
            self._pin_counter(failure.tries_left)
            return
        if self.screen not in (Screen.CARD_WAIT, Screen.PIN_ENTRY, Screen.READING):
            return  # a card pulled after it was read is not a problem
        if failure.code == "removed" and self.screen is Screen.CARD_WAIT:
            return  # nothing was being read: someone took an earlier card away
        codes = {"one_try_left": Reason.PIN_LAST_TRY, "pin_locked": Reason.PIN_LOCKED,
                 "removed": Reason.CARD_REMOVED}  # fmt: skip
        self._counter(codes.get(failure.code, Reason.CARD_UNREADABLE))

    def _identified_by_card(self) -> None:
        patient = self.visit.patient
        assert patient is not None
        offer = self.desk.face_result_of(patient.patient_id, self.visit.started_at - self.timings.face_lead,
                                         self.clock.now())  # fmt: skip
        if offer is not None and self.visit.path == "card":
            self.visit.offer = offer
            self._go(Screen.OFFER_REFERENCE)
            return
        self._choose_department()
