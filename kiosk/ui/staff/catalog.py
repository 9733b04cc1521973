"""Every word of the staff console (Japanese; English beside it for the vendor's support staff)."""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "title": {"ja": "Uketsuke 受付スタッフ画面", "en": "Uketsuke staff console"},
    "login.title": {"ja": "ログイン", "en": "Log in"},
    "login.login": {"ja": "ログイン名", "en": "Login"},
    "login.secret": {"ja": "パスワード", "en": "Password"},
    "login.go": {"ja": "ログイン", "en": "Log in"},
    "login.failed": {
        "ja": "ログイン名かパスワードが違います（続けて失敗するとロックされます）",
        "en": "Wrong login or password (repeated failures lock the account)",
    },
    "login.locked": {
        "ja": "しばらく操作がなかったのでロックしました。もう一度ログインしてください",
        "en": "Locked after inactivity. Please log in again",
    },
    "first.title": {"ja": "最初の管理者を作成します", "en": "Create the first administrator"},
    "first.name": {"ja": "表示名", "en": "Display name"},
    "first.again": {"ja": "パスワード（確認）", "en": "Password (again)"},
    "first.mismatch": {"ja": "パスワードが一致しません", "en": "The passwords differ"},
    "first.go": {"ja": "作成してログイン", "en": "Create and log in"},
    "tab.list": {"ja": "CR利用者リスト", "en": "CR list"},
    "tab.reference": {"ja": "照会番号登録", "en": "照会番号 registrations"},
    "tab.audit": {"ja": "監査記録", "en": "Audit trail"},
    "tab.admin": {"ja": "管理", "en": "Administration"},
    "lock": {"ja": "ロック", "en": "Lock"},
    "alerts": {"ja": "対応が必要な患者さま: {n}人", "en": "Patients who need you: {n}"},
    "alerts.none": {"ja": "対応待ちはありません", "en": "Nobody is waiting"},
    "alerts.clear": {"ja": "対応済みにする", "en": "Mark as handled"},
    "alerts.line": {"ja": "{time} {kiosk}：{who} — {why}", "en": "{time} {kiosk}: {who} — {why}"},
    "alerts.unknown_patient": {"ja": "（まだ本人確認前の患者さま）", "en": "(patient not yet identified)"},
    "alerts.tip": {"ja": "クリックでその患者さまの行を開きます", "en": "Click to open the patient's row"},
    "alerts.not_in_list": {"ja": "この患者さまはまだ一覧にいません（本人確認前）。キオスクへ行ってください",
                           "en": "This patient is not in the list yet (not identified); go to the kiosk"},
    "filter.all": {"ja": "すべて", "en": "All"},
    "filter.todo": {"ja": "要対応", "en": "To do"},
    "search": {"ja": "検索（カナ・氏名・患者番号・生年月日）", "en": "Search (kana, name, patient no., birthdate)"},
    "col.time": {"ja": "時刻", "en": "Time"},
    "col.name": {"ja": "氏名（カナ）", "en": "Name (kana)"},
    "col.birth": {"ja": "生年月日", "en": "Birthdate"},
    "col.sex": {"ja": "性別", "en": "Sex"},
    "col.status": {"ja": "状態", "en": "Status"},
    "col.patient": {"ja": "患者番号", "en": "Patient no."},
    "col.method": {"ja": "連携方法", "en": "Linked by"},
    "col.reception": {"ja": "受付", "en": "Reception"},
    "col.reference": {"ja": "照会番号", "en": "照会番号"},
    "status.auto_linked": {"ja": "自動連携", "en": "Auto-linked"},
    "status.needs_review": {"ja": "要確認", "en": "Needs review"},
    "status.no_match": {"ja": "該当なし", "en": "No match"},
    "status.linked": {"ja": "連携済み", "en": "Linked"},
    "status.rejected": {"ja": "対象外", "en": "Rejected"},
    "status.error": {"ja": "エラー", "en": "Error"},
    "method.reference_number": {"ja": "照会番号", "en": "照会番号"},
    "method.match": {"ja": "自動照合", "en": "Matcher"},
    "method.manual": {"ja": "職員", "en": "Staff"},
    "reception.done": {"ja": "受付済", "en": "Received"},
    "reception.waiting": {"ja": "キオスクで待機中", "en": "Waiting at a kiosk"},
    "reference.pending": {"ja": "依頼待ち", "en": "Pending"},
    "reference.publishing": {"ja": "依頼中", "en": "Publishing"},
    "reference.published": {"ja": "結果待ち", "en": "Waiting"},
    "reference.done": {"ja": "登録済", "en": "Done"},
    "reference.failed": {"ja": "失敗", "en": "Failed"},
    "reference.uncertain": {"ja": "要確認", "en": "Uncertain"},
    "detail.none": {"ja": "一覧から選んでください（↑↓）", "en": "Choose an entry (↑↓)"},
    "detail.face": {"ja": "顔認証結果", "en": "Face result"},
    "detail.candidate": {"ja": "候補", "en": "Candidate"},
    "detail.verdict": {"ja": "判定", "en": "Verdict"},
    "detail.insurance": {"ja": "保険・公費（レセコンへ転記してください）", "en": "Insurance and public funding"},
    "detail.score": {"ja": "点数 {score}", "en": "score {score}"},
    "detail.why": {"ja": "自動連携しなかった理由", "en": "Why not linked automatically"},
    "detail.pick": {"ja": "候補を選んでください（1〜5）", "en": "Choose a candidate (1–5)"},
    "qual.valid": {"ja": "資格: 有効", "en": "Qualification: valid"},
    "qual.invalid": {"ja": "資格: {meaning}（コード {code}）— 自動で受付しません。保険を窓口で確認してください",
                     "en": "Qualification: {meaning} (code {code}) — not received automatically; check the insurance"},
    "qual.lapsed": {"ja": "資格: 喪失（資格喪失年月日 {date}）— 自動で受付しません",
                    "en": "Qualification: lapsed (lost on {date}) — not received automatically"},
    "qual.none": {"ja": "資格: ファイルに記載がありません — 自動で受付しません",
                  "en": "Qualification: not stated in the file — not received automatically"},
    "qual.short.invalid": {"ja": "資格無効", "en": "not valid"},
    "qual.short.lapsed": {"ja": "資格喪失", "en": "lapsed"},
    "unreadable": {"ja": "読み取れないファイル: {name} — {reason}", "en": "File that cannot be read: {name} — {reason}"},
    "detail.notice": {"ja": "端末からのお知らせ: {notice}", "en": "Notice from the terminal: {notice}"},
    "detail.history": {"ja": "以前の資格（同じ方・喪失済み）", "en": "Earlier qualification (same person, lapsed)"},
    "detail.reference_fix": {
        "ja": "照会番号 {reference} はこの患者を指していません。本人と確認できたら「連携して照会番号を訂正」で照会番号を {patient} に登録し直します",
        "en": "照会番号 {reference} does not point at this patient; once confirmed, “Link + correct the 照会番号” registers {patient} instead",
    },
    "detail.reason": {"ja": "理由（対象外・解除・取消に必要）", "en": "Reason (for reject, unlink, undo)"},
    "detail.raw": {"ja": "受け取ったファイル（そのまま）", "en": "The file as received"},
    "action.link": {"ja": "連携 (Enter)", "en": "Link (Enter)"},
    "action.link_register": {"ja": "連携して照会番号登録 (Ctrl+Enter)", "en": "Link + 照会番号 (Ctrl+Enter)"},
    "action.link_correct": {"ja": "連携して照会番号を訂正 (Ctrl+Enter)", "en": "Link + correct the 照会番号 (Ctrl+Enter)"},
    "action.new_patient": {"ja": "新規患者 (Ctrl+N)", "en": "New patient (Ctrl+N)"},
    "action.reject": {"ja": "対象外 (Ctrl+R)", "en": "Reject (Ctrl+R)"},
    "action.unlink": {"ja": "連携解除 (Ctrl+U)", "en": "Unlink (Ctrl+U)"},
    "action.undo": {"ja": "元に戻す (Ctrl+Z)", "en": "Undo (Ctrl+Z)"},
    "action.duplicate": {"ja": "重複カルテとして記録 (Ctrl+D)", "en": "Duplicate chart (Ctrl+D)"},
    "action.accept_conflict": {"ja": "新しいファイルを採用", "en": "Accept the new file"},
    "action.reject_conflict": {"ja": "新しいファイルを不採用", "en": "Reject the new file"},
    "done.link": {"ja": "{who} に連携しました", "en": "Linked to {who}"},
    "done.reject": {"ja": "対象外にしました", "en": "Rejected"},
    "done.unlink": {"ja": "連携を解除しました", "en": "Unlinked"},
    "done.undo": {"ja": "元に戻しました", "en": "Undone"},
    "done.new_patient": {"ja": "新しい患者 {id} を作成して連携しました", "en": "Created patient {id} and linked"},
    "done.duplicate": {"ja": "重複カルテとして記録しました", "en": "Recorded as a duplicate chart"},
    "done.reference": {"ja": "{who} に連携し、照会番号の登録を依頼しました",
                       "en": "Linked to {who}; 照会番号 registration requested"},
    "done.cancelled": {"ja": "やめました（何も変えていません）", "en": "Cancelled; nothing changed"},
    "done.conflict_accepted": {"ja": "新しいファイルを採用しました（確認待ちに入りました）",
                               "en": "The new file was accepted and awaits review"},
    "done.conflict_rejected": {"ja": "新しいファイルを不採用にしました", "en": "The new file was rejected"},
    "confirm.yes": {"ja": "はい、実行します", "en": "Yes, do it"},
    "confirm.no": {"ja": "やめる", "en": "Cancel"},
    "confirm.link.title": {"ja": "違いがあります", "en": "The records differ"},
    "confirm.link": {"ja": "{who} と {fields} が違います。\nご本人に確かめましたか？ この患者に連携します。",
                     "en": "{who} differs in {fields}. Checked with the patient? Link to this patient."},
    "confirm.new.title": {"ja": "新しい患者を作成", "en": "Create a new patient"},
    "confirm.new": {"ja": "{name}（生年月日 {born}）を新しい患者として台帳に登録し、連携します。\n"
                          "台帳検索（Ctrl+F）で旧姓や別の書き方も探しましたか？",
                    "en": "Register {name} (born {born}) as a new patient and link. Searched the registry (Ctrl+F) first?"},
    "page.compare": {"ja": "照合", "en": "Compare"},
    "page.insurance": {"ja": "保険・公費", "en": "Insurance"},
    "page.file": {"ja": "ファイル内容", "en": "File"},
    "candidate.unknown": {"ja": "（台帳にありません）", "en": "(not in the registry)"},
    "candidate.added": {"ja": "職員が台帳検索で追加", "en": "added by staff from the search"},
    "registry_search": {"ja": "台帳を検索: カナ・氏名・生年月日・患者番号・保険の番号（Ctrl+F）",
                        "en": "Search the registry: kana, name, birthdate, number (Ctrl+F)"},
    "search.found": {"ja": "{n}件（↑↓で選んで Enter で比較に追加）", "en": "{n} found (↑↓, Enter adds)"},
    "search.none": {"ja": "該当する患者がいません。書き方を変えて探してください", "en": "Nobody found; try another writing"},
    "search.failed": {"ja": "台帳を検索できません（接続を確認してください）", "en": "The registry cannot be searched"},
    "search.gone": {"ja": "この患者は台帳にありません / no such patient", "en": "No such patient"},
    "copy": {"ja": "コピー", "en": "Copy"},
    "copy.tip": {"ja": "{what}をコピー", "en": "Copy {what}"},
    "detail.search_hint": {"ja": "候補がありません。台帳を検索（Ctrl+F）するか、新規患者として登録してください",
                           "en": "No candidates: search the registry (Ctrl+F) or create a new patient"},
    "detail.linked_to": {"ja": "連携中: {who}（別の患者にするには連携解除）", "en": "Linked to {who} (unlink to change)"},
    "detail.chosen": {"ja": "選択中: {who}（Enter で連携）", "en": "Chosen: {who} (Enter links)"},
    "detail.linked_already": {"ja": "すでに連携済みです。別の患者にするには先に連携解除してください",
                              "en": "Already linked; unlink first to choose another patient"},
    "detail.reason_needed": {"ja": "理由を入力してください", "en": "A reason is required"},
    "action.failed": {"ja": "処理できませんでした（ログを確認してください）", "en": "The action failed; see the log"},
    "ref.done": {"ja": "登録済みにする", "en": "Mark done"},
    "ref.failed": {"ja": "失敗にする", "en": "Mark failed"},
    "ref.retry": {"ja": "もう一度依頼", "en": "Request again"},
    "audit.verify": {"ja": "改ざん検査", "en": "Verify"},
    "audit.ok": {"ja": "{n}件すべて正常です", "en": "All {n} records are intact"},
    "audit.broken": {"ja": "記録 {id} で不整合: {why}", "en": "Record {id} is broken: {why}"},
    "audit.export": {"ja": "CSVに書き出す", "en": "Export CSV"},
    "admin.mode": {"ja": "自動連携", "en": "Automatic linking"},
    "admin.mode.apply": {"ja": "変更する", "en": "Change"},
    "admin.mode.on": {"ja": "on: 安全な場合は自動連携", "en": "on"},
    "admin.mode.reference_only": {"ja": "reference_only: 照会番号のみ", "en": "reference_only"},
    "admin.mode.off": {"ja": "off: 判定を記録するだけ", "en": "off"},
    "admin.accounts": {"ja": "アカウント", "en": "Accounts"},
    "admin.add": {"ja": "追加", "en": "Add"},
    "admin.toggle": {"ja": "有効/無効を切り替え", "en": "Enable/disable"},
    "admin.role": {"ja": "役割", "en": "Role"},
}

#: 保険・公費 details of a face result, by their XML element names (research oqs-interface.md §2.3–2.4), as staff
#: know them.
DETAIL_LABELS: dict[str, str] = {
    "InsuredCardClassification": "被保険者証区分", "PersonalFamilyClassification": "本人・家族",
    "InsuredName": "被保険者氏名（世帯主）", "InsurerName": "保険者名称", "QualificationDate": "資格取得年月日",
    "DisqualificationDate": "資格喪失年月日", "ReasonOfLoss": "資格喪失事由",
    "InsuredCertificateIssuanceDate": "被保険者証交付年月日", "InsuredCardValidDate": "被保険者証有効開始年月日",
    "InsuredCardExpirationDate": "被保険者証有効終了年月日", "InsuredPartialContributionRatio": "一部負担金割合",
    "PreschoolClassification": "未就学区分", "QualificationValidity": "資格有効性",
    "ElderlyRecipientCertificateInfo": "高齢受給者証", "ElderlyRecipientCertificateDate": "交付年月日",
    "ElderlyRecipientValidStartDate": "有効開始年月日", "ElderlyRecipientValidEndDate": "有効終了年月日",
    "ElderlyRecipientContributionRatio": "一部負担金割合",
    "LimitApplicationCertificateRelatedConsFlg": "限度額情報の提供同意",
    "LimitApplicationCertificateRelatedConsTime": "限度額情報の同意日時",
    "LimitApplicationCertificateRelatedInfo": "限度額適用認定証",
    "LimitApplicationCertificateClassification": "認定証区分", "LimitApplicationCertificateClassificationFlag": "適用区分",
    "LimitApplicationCertificateDate": "交付年月日", "LimitApplicationCertificateValidStartDate": "有効開始年月日",
    "LimitApplicationCertificateValidEndDate": "有効終了年月日",
    "LimitApplicationCertificateLongTermDate": "長期入院該当年月日",
    "SpecificDiseasesCertificateRelatedConsFlg": "特定疾病情報の提供同意",
    "SpecificDiseasesCertificateRelatedConsTime": "特定疾病情報の同意日時",
    "SpecificDiseasesCertificateList": "特定疾病療養受療証", "SpecificDiseasesCertificateInfo": "特定疾病療養受療証",
    "SpecificDiseasesDiseaseCategory": "認定疾病", "SpecificDiseasesCertificateDate": "交付年月日",
    "SpecificDiseasesValidStartDate": "有効開始年月日", "SpecificDiseasesValidEndDate": "有効終了年月日",
    "SpecificDiseasesSelfPay": "自己負担限度額",
    "PublicExpenseResultList": "医療扶助（医療券・調剤券）", "MedicalTicketInfo": "医療券・調剤券", "TicketType": "券種",
    "MedicalTicketValidDate": "有効開始年月日", "MedicalTicketExpirationDate": "有効終了年月日",
    "IssueNumber": "交付番号", "MedicalTreatmentMonth": "診療年月",
    "DesignatedMedicalInstitutionCode": "指定医療機関コード", "DesignatedMedicalInstitutionFlag": "指定医療機関",
    "DesignatedMedicalInstitutionName": "指定医療機関名", "MedicalTreatmentType": "診療別",
    "SelfPayAmount": "本人支払額", "SingleOrCombinedUse": "単独・併用", "StatusOfSocialInsurance": "社会保険",
    "PublicExpenseNumber": "公費負担者番号", "BeneficiaryNumber": "受給者番号", "WelfareOfficeName": "福祉事務所名",
    "PharmacistsInfoConsFlg": "薬剤情報閲覧の同意", "DiagnosisInfoConsFlg": "診療情報閲覧の同意",
    "OperationInfoConsFlg": "手術情報閲覧の同意", "SpecificHealthCheckupsInfoConsFlg": "特定健診情報閲覧の同意",
    "PrescriptionIssueSelect": "処方箋の発行形態",
}  # fmt: skip

_CONSENT = {"0": "同意なし", "1": "同意あり", "2": "同意有効期限切れ", "3": "同意取得困難"}
#: What the codes mean (OQSCD tables, research §2.3–2.5); a code not listed is shown as sent.
DETAIL_CODES: dict[str, dict[str, str]] = {
    "InsuredCardClassification": {
        "01": "一般", "02": "退職", "03": "短期（一般）", "04": "短期（退職）", "05": "被保険者資格証明書",
        "06": "特例退職", "07": "自衛官診療証", "A1": "医療扶助",
    },
    "PersonalFamilyClassification": {"1": "本人", "2": "家族"},
    "PreschoolClassification": {"1": "未就学"},
    "ReasonOfLoss": {"01": "死亡", "02": "生活保護受給開始", "03": "医療保険等の資格取得", "99": "その他"},
    "LimitApplicationCertificateClassification": {
        "01": "限度額適用認定証", "02": "限度額適用・標準負担額減額認定証", "03": "標準負担額減額認定証",
    },
    "LimitApplicationCertificateClassificationFlag": {
        "A01": "ア", "A02": "イ", "A03": "ウ", "A04": "エ", "A05": "オ", "A06": "オ（境）", "B01": "現役並みⅢ",
        "B02": "現役並みⅡ", "B03": "現役並みⅠ", "B04": "一般", "B05": "低所得Ⅱ", "B06": "低所得Ⅰ",
        "B07": "低所得Ⅰ（老福）", "B08": "低所得Ⅰ（境）", "B09": "一般Ⅱ", "B10": "一般Ⅰ",
    },
    "SpecificDiseasesDiseaseCategory": {
        "1": "人工透析を必要とする慢性腎不全", "2": "先天性血液凝固因子障害", "3": "血液凝固因子製剤の投与に起因するHIV感染症",
    },
    "TicketType": {"01": "医療券", "02": "調剤券"},
    "DesignatedMedicalInstitutionFlag": {"0": "一致", "1": "不一致"},
    "MedicalTreatmentType": {"01": "入院", "02": "入院外", "03": "歯科", "04": "調剤", "05": "訪問看護"},
    "SingleOrCombinedUse": {"01": "単独", "02": "併用"},
    "StatusOfSocialInsurance": {"01": "あり", "02": "なし"},
    "PrescriptionIssueSelect": {"1": "電子処方箋", "2": "紙の処方箋"},
    "LimitApplicationCertificateRelatedConsFlg": {"0": "未同意", "1": "同意"},
    "SpecificDiseasesCertificateRelatedConsFlg": _CONSENT, "PharmacistsInfoConsFlg": _CONSENT,
    "DiagnosisInfoConsFlg": _CONSENT, "OperationInfoConsFlg": _CONSENT, "SpecificHealthCheckupsInfoConsFlg": _CONSENT,
}  # fmt: skip
_RATIOS = ("InsuredPartialContributionRatio", "ElderlyRecipientContributionRatio")


def detail_value(key: str, value: str) -> str:
    """A detail as staff read it: a 3-digit percentage as 割 (030 → 3割), a code with its meaning."""
    text = value.strip()
    if key in _RATIOS and text.isdigit():
        percent = int(text)
        return f"{percent // 10}割" if percent % 10 == 0 else f"{percent}%"
    meaning = DETAIL_CODES.get(key, {}).get(text)
    return f"{meaning}（{text}）" if meaning else value


LANGUAGE = "ja"


def t(key: str, **values: object) -> str:
    entry = TEXT[key]
    text = entry.get(LANGUAGE) or entry["ja"]
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text


#: Why a kiosk called staff, in plain Japanese (the code stays beside it for support).
ALERT_REASONS: dict[str, str] = {
    "I-CALL-01": "患者さまが「係員を呼ぶ」を押しました",
    "I-WAIT-01": "顔認証の結果の確認待ちです（下の一覧で確認してください）",
    "I-NEW-01": "初めての方です。窓口で受付してください",
    "E-FACE-01": "顔認証の結果が届きませんでした",
    "E-FACE-02": "同じ生年月日の結果が複数あり、本人を決められません",
    "E-FACE-03": "入力された生年月日に合う顔認証の結果がありません",
    "E-FACE-04": "表示された方はご本人ではないと答えました",
    "E-LINK-01": "確認が時間内に終わりませんでした",
    "E-LINK-02": "顔認証の結果は使えません（却下）",
    "E-LINK-03": "カードの券面事項に合うカルテが見つかりません",
    "E-QUAL-01": "保険の資格が今日有効ではありません。資格を確認してください",
    "E-CARD-01": "登録されていない診察券です",
    "E-CARD-02": "カードを読めませんでした",
    "E-CARD-03": "読み取り中にカードが外されました",
    "E-PIN-01": "暗証番号の残り回数が1回です（キオスクでは試しません）",
    "E-PIN-02": "暗証番号がロックされています",
    "E-REG-01": "レセコンへの受付登録ができませんでした",
    "W-PRN-01": "受付票を印刷できませんでした（用紙切れ・プリンター停止）",
    "W-CARD-01": "カードが読み取り部に残っています",
}


def alert_reason(code: str) -> str:
    return f"{ALERT_REASONS.get(code, '確認が必要です')}（{code}）"
