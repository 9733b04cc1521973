"""Every word the patient kiosk shows, Japanese first, then English.

Japanese text marks furigana as {漢字|かんじ} on the key words (Qt has no <ruby>; RubyLabel draws it).
A new language is a new column: add "zh", "ko" or "vi" to each entry and to LANGUAGES; entries a language
lacks fall back to English, then Japanese. Texts are short, one action per screen (やさしい日本語).
"""

from __future__ import annotations

import re

#: Languages the kiosk offers, each named in its own script (the picker shows these).
LANGUAGES: dict[str, str] = {"ja": "日本語", "en": "English"}
PLANNED_LANGUAGES: dict[str, str] = {"zh": "中文", "ko": "한국어", "vi": "Tiếng Việt"}

TEXT: dict[str, dict[str, str]] = {
    "welcome.title": {"ja": "{受付|うけつけ}", "en": "Check-in"},
    "welcome.touch": {"ja": "ここを さわって ください", "en": "Touch here to start"},
    "welcome.hours": {"ja": "{診療時間|しんりょうじかん}", "en": "Hours"},
    "method.title": {"ja": "どれで {受付|うけつけ}しますか", "en": "How would you like to check in?"},
    "method.face": {"ja": "マイナンバーカード\n（{顔認証|かおにんしょう}）", "en": "My Number Card\n(face reader)"},
    "method.card": {"ja": "{診察券|しんさつけん}", "en": "Patient card"},
    "method.mynumber": {"ja": "マイナンバーカード\n（{暗証番号|あんしょうばんごう}）", "en": "My Number Card\n(PIN)"},
    "method.first": {"ja": "{初|はじ}めての{方|かた}", "en": "First visit"},
    "face.title": {
        "ja": "{顔認証|かおにんしょう}つき カードリーダーで\n{確認|かくにん}を して ください",
        "en": "Please use the face-recognition\ncard reader",
    },
    "face.body": {
        "ja": "カードを リーダーに {置|お}いて、{画面|がめん}の {案内|あんない}に {従|したが}って ください。",
        "en": "Place your card on the reader and follow its screen.",
    },
    "face.waiting": {"ja": "{結果|けっか}を {待|ま}っています…", "en": "Waiting for the result…"},
    "birth.title": {"ja": "{生年月日|せいねんがっぴ}を {入|い}れて ください", "en": "Please enter your date of birth"},
    "birth.retry": {
        "ja": "{見|み}つかりません。もう{一度|いちど} {入|い}れて ください。",
        "en": "Not found. Please try again.",
    },
    "birth.era": {"ja": "{元号|げんごう}", "en": "Era"},
    "birth.why": {
        "ja": "ご{本人|ほんにん}の {確認|かくにん}の ためです。",
        "en": "This is to make sure it is you.",
    },
    "birth.impossible": {
        "ja": "この {日付|ひづけ}は ありません。もう{一度|いちど} {入|い}れて ください。",
        "en": "This date does not exist. Please enter it again.",
    },
    "confirm_person.title": {"ja": "この {方|かた}で よろしいですか", "en": "Is this you?"},
    "confirm_person.sama": {"ja": "様", "en": ""},
    "checking.title": {"ja": "{確認|かくにん}しています", "en": "Checking"},
    "checking.body": {
        "ja": "{係|かかり}の {者|もの}が {確認|かくにん}しています。\nしばらく お{待|ま}ちください。",
        "en": "Our staff are checking.\nPlease wait a moment.",
    },
    "card.title": {"ja": "{診察券|しんさつけん}を {置|お}いて ください", "en": "Please place your patient card"},
    "card.body": {
        "ja": "カードを {読|よ}み{取|と}り{部|ぶ}に {置|お}いて ください。\n{磁気|じき}の カードは {受付機|うけつけき}に {入|い}れて ください。",
        "en": "Place the card on the reader,\nor insert a magnetic card into the machine.",
    },
    "mynumber.title": {"ja": "マイナンバーカードを {置|お}いて ください", "en": "Please place your My Number Card"},
    "mynumber.body": {
        "ja": "カードを {読|よ}み{取|と}り{部|ぶ}に {置|お}いて ください。",
        "en": "Place the card on the reader.",
    },
    "pin.title": {
        "ja": "{暗証番号|あんしょうばんごう}（4けた）を {入|い}れて ください",
        "en": "Please enter your 4-digit PIN",
    },
    "pin.tries": {"ja": "のこり {n} {回|かい}", "en": "{n} tries left"},
    "reading.title": {"ja": "{読|よ}み{取|と}っています", "en": "Reading the card"},
    "reading.body": {"ja": "カードを {動|うご}かさないで ください。", "en": "Please do not move the card."},
    "offer.title": {
        "ja": "{次|つぎ}から マイナンバーカードで\n{受付|うけつけ}できるように しますか",
        "en": "Use your My Number Card\nfor check-in next time?",
    },
    "offer.body": {
        "ja": "{今日|きょう} {顔認証|かおにんしょう}した {結果|けっか}を この{診察券|しんさつけん}と つなぎます。",
        "en": "Today's face-reader result will be linked to this card.",
    },
    "department.title": {"ja": "{診療科|しんりょうか}を {選|えら}んで ください", "en": "Please choose a department"},
    "confirm.title": {"ja": "{受付|うけつけ}します", "en": "Check in now"},
    "confirm.go": {"ja": "{受付|うけつけ}する", "en": "Check in"},
    "take_card.title": {"ja": "カードを お{取|と}りください", "en": "Please take your card"},
    "take_card.body": {
        "ja": "カードが {読|よ}み{取|と}り{部|ぶ}に {残|のこ}っています。",
        "en": "Your card is still on the reader.",
    },
    "done.title": {"ja": "{受付|うけつけ}しました", "en": "You are checked in"},
    "done.already": {
        "ja": "{本日|ほんじつ}は すでに {受付|うけつけ}しています",
        "en": "You are already checked in today",
    },
    "done.number": {"ja": "{受付番号|うけつけばんごう}", "en": "Your number"},
    "done.slip": {"ja": "{受付票|うけつけひょう}を お{取|と}りください", "en": "Please take your slip"},
    "done.no_slip": {
        "ja": "{受付票|うけつけひょう}を {印刷|いんさつ}できませんでした。\nこの {番号|ばんごう}を お{控|ひか}えください。",
        "en": "The slip could not be printed.\nPlease remember this number.",
    },
    "done.wait": {"ja": "お{呼|よ}びするまで お{待|ま}ちください", "en": "Please wait until your number is called"},
    "first.title": {"ja": "{受付窓口|うけつけまどぐち}へ お{越|こ}しください", "en": "Please go to the reception desk"},
    "first.body": {
        "ja": "{初|はじ}めての{方|かた}は {窓口|まどぐち}で {受付|うけつけ}します。\n{番号札|ばんごうふだ}を お{取|と}りください。",
        "en": "First-time patients check in at the desk.\nPlease take your number slip.",
    },
    "counter.title": {
        "ja": "{受付窓口|うけつけまどぐち}へ お{越|こ}しください",
        "en": "Please go to the reception desk",
    },
    "counter.body": {
        "ja": "{係|かかり}の {者|もの}が ご{案内|あんない}します。",
        "en": "A member of staff will help you.",
    },
    "counter.code": {"ja": "コード", "en": "Code"},
    "counter.called": {
        "ja": "{係|かかり}の {者|もの}を {呼|よ}びました。",
        "en": "We have called a member of staff.",
    },
    "called.title": {"ja": "{係|かかり}の {者|もの}を {呼|よ}びました", "en": "A member of staff is coming"},
    "called.body": {
        "ja": "そのまま お{待|ま}ちください。",
        "en": "Please wait here.",
    },
    "unavailable.title": {"ja": "ただいま {受付|うけつけ}できません", "en": "Check-in is not available right now"},
    "unavailable.body": {"ja": "{窓口|まどぐち}へ お{越|こ}しください。", "en": "Please go to the reception desk."},
    "idle.title": {"ja": "{続|つづ}けますか", "en": "Do you want to continue?"},
    "idle.countdown": {
        "ja": "あと {n} {秒|びょう}で {最初|さいしょ}に もどります",
        "en": "Returning to the start in {n} s",
    },
    "idle.continue": {"ja": "{続|つづ}ける", "en": "Continue"},
    "button.yes": {"ja": "はい", "en": "Yes"},
    "button.no": {"ja": "いいえ", "en": "No"},
    "button.cancel": {"ja": "やめる", "en": "Cancel"},
    "button.back": {"ja": "もどる", "en": "Back"},
    "button.restart": {"ja": "{最初|さいしょ}に もどる", "en": "Start over"},
    "button.call_staff": {"ja": "{係員|かかりいん}を {呼|よ}ぶ", "en": "Call staff"},
    "button.large_text": {"ja": "{文字|もじ}を {大|おお}きく", "en": "Larger text"},
    "button.normal_text": {"ja": "{文字|もじ}を {元|もと}に", "en": "Normal text"},
    "button.ok": {"ja": "{決定|けってい}", "en": "OK"},
    "button.clear": {"ja": "けす", "en": "Clear"},
    "staff.title": {"ja": "{職員|しょくいん}用：{暗証番号|あんしょうばんごう}", "en": "Staff: PIN"},
    "era.S": {"ja": "{昭和|しょうわ}", "en": "Showa"},
    "era.H": {"ja": "{平成|へいせい}", "en": "Heisei"},
    "era.R": {"ja": "{令和|れいわ}", "en": "Reiwa"},
    "era.T": {"ja": "{大正|たいしょう}", "en": "Taisho"},
    "era.AD": {"ja": "{西暦|せいれき}", "en": "Year (AD)"},
    "birth.year": {"ja": "{年|ねん}", "en": "year"},
    "birth.month": {"ja": "{月|がつ}", "en": "month"},
    "birth.day": {"ja": "{日|にち}", "en": "day"},
}

# Why the patient was sent to the counter, in plain words (the code is printed small beside it).
REASONS: dict[str, dict[str, str]] = {
    "E-FACE-01": {
        "ja": "{顔認証|かおにんしょう}の {結果|けっか}が {届|とど}きませんでした。",
        "en": "No face-reader result arrived.",
    },
    "E-FACE-02": {"ja": "{確認|かくにん}が {必要|ひつよう}です。", "en": "We need to check your details."},
    "E-FACE-03": {
        "ja": "{生年月日|せいねんがっぴ}が {見|み}つかりませんでした。",
        "en": "The date of birth was not found.",
    },
    "E-FACE-04": {"ja": "{確認|かくにん}が {必要|ひつよう}です。", "en": "We need to check your details."},
    "E-LINK-01": {"ja": "{確認|かくにん}に {時間|じかん}が かかっています。", "en": "The check is taking longer."},
    "E-LINK-02": {"ja": "{確認|かくにん}が {必要|ひつよう}です。", "en": "We need to check your details."},
    "E-LINK-03": {"ja": "カルテが {見|み}つかりませんでした。", "en": "Your record was not found."},
    "E-QUAL-01": {
        "ja": "{保険|ほけん}の {資格|しかく}を {確|たし}かめる {必要|ひつよう}が あります。",
        "en": "Your health insurance needs to be checked.",
    },
    "E-CARD-01": {
        "ja": "この {診察券|しんさつけん}は {登録|とうろく}されていません。",
        "en": "This card is not registered.",
    },
    "E-CARD-02": {"ja": "カードを {読|よ}めませんでした。", "en": "The card could not be read."},
    "E-CARD-03": {"ja": "カードが {外|はず}れました。", "en": "The card was removed."},
    "E-PIN-01": {
        "ja": "{暗証番号|あんしょうばんごう}の のこり{回数|かいすう}が 1{回|かい}です。",
        "en": "Only one PIN try is left.",
    },
    "E-PIN-02": {"ja": "{暗証番号|あんしょうばんごう}が ロックされています。", "en": "The PIN is locked."},
    "E-REG-01": {
        "ja": "{受付|うけつけ}の {登録|とうろく}が できませんでした。",
        "en": "Check-in could not be registered.",
    },
}

_RUBY = re.compile(r"\{([^|{}]+)\|([^{}]+)\}")


def text(key: str, language: str = "ja", **values: object) -> str:
    """The catalogue text with ruby markup; unknown languages fall back to English, then Japanese."""
    entry = TEXT.get(key) or REASONS.get(key)
    if entry is None:
        raise KeyError(key)
    value = entry[language] if language in entry else entry.get("en", entry["ja"])
    for name, filling in values.items():  # not str.format: the ruby markup uses braces too
        value = value.replace("{" + name + "}", str(filling))
    return value


def segments(markup: str) -> list[tuple[str, str | None]]:
    """'{受付|うけつけ}します' → [('受付', 'うけつけ'), ('します', None)]."""
    out: list[tuple[str, str | None]] = []
    position = 0
    for found in _RUBY.finditer(markup):
        if found.start() > position:
            out.append((markup[position : found.start()], None))
        out.append((found.group(1), found.group(2)))
        position = found.end()
    if position < len(markup):
        out.append((markup[position:], None))
    return out


def plain(markup: str) -> str:
    """The text without furigana (what a screen reader, a test or a log sees)."""
    return _RUBY.sub(r"\1", markup)
