"""Every way a card read can fail, with text for the patient's screen (Japanese first) and the log."""

from __future__ import annotations


class CardError(Exception):
    code = "card_error"
    ja = "カードを読めませんでした。受付窓口へお越しください"
    en = "the card could not be read"

    def __init__(self, detail: str = "") -> None:
        super().__init__(f"{self.ja} / {self.en}" + (f" ({detail})" if detail else ""))
        self.detail = detail


class NoReader(CardError):
    code = "no_reader"
    ja = "カードリーダーが見つかりません。受付窓口へお越しください"
    en = "no card reader is connected"


class ServiceGone(CardError):
    code = "service_gone"
    ja = "カードリーダーの機能が止まっています。受付窓口へお越しください"
    en = "the smart card service (PC/SC) is not running"


class CardRemoved(CardError):
    code = "card_removed"
    ja = "カードが途中で外されました。もう一度カードを置いてください"
    en = "the card was removed during the read"


class CardTimeout(CardError):
    code = "card_timeout"
    ja = "カードの応答がありません。受付窓口へお越しください"
    en = "the card did not answer in time"


class NotMyNumberCard(CardError):
    code = "not_my_number_card"
    ja = "マイナンバーカードではないようです。カードをご確認ください"
    en = "this is not a My Number card"


class WrongPin(CardError):
    code = "wrong_pin"
    en = "wrong PIN"

    def __init__(self, tries_left: int) -> None:
        self.tries_left = tries_left
        self.ja = f"暗証番号が違います（あと{tries_left}回）"
        super().__init__(f"{tries_left} tries left")


class OneTryLeft(CardError):
    """Refused before trying: a last wrong try would lock the card, which only the city office can undo."""

    code = "one_try_left"
    ja = "暗証番号をあと1回間違えるとロックされるため、ここでは入力できません。受付窓口へお越しください"
    en = "only one PIN try is left: the kiosk will not use it"


class PinLocked(CardError):
    code = "pin_locked"
    ja = "暗証番号がロックされています。市区町村の窓口で解除が必要です。受付窓口へお越しください"
    en = "the PIN is locked"


class ForbiddenApdu(CardError):
    """A programming error: something tried to send an APDU outside the allow-list."""

    code = "forbidden_apdu"
    ja = "内部エラー（許可されていない操作）"
    en = "an APDU outside the allow-list was refused"


class UnknownTries(CardError):
    """The card gives no retry counter: no PIN is ever presented to it."""

    code = "unknown_tries"
    ja = "暗証番号の残り回数が分からないため読みません"
    en = "the PIN counter is unknown, so no PIN is tried"
