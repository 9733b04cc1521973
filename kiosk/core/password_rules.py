"""What a staff password must be (MHLW 安全管理ガイドライン 第6.0版 and NIST SP 800-63B in spirit): long enough,
not the login, not one character repeated, not a well-known password, and of at least two kinds of character."""

from __future__ import annotations

import unicodedata

MIN_LENGTH = 8
COMMON = frozenset({
    "password", "password1", "passw0rd", "12345678", "123456789", "1234567890", "qwerty123", "11111111",
    "00000000", "abcd1234", "iloveyou", "admin123", "administrator", "letmein1", "welcome1", "uketsuke",
    "uketsuke1", "orca1234", "ormaster",
})  # fmt: skip


def password_problem(secret: str, login: str) -> tuple[str, str] | None:
    """(Japanese, English) of the first rule broken, or None."""
    value = unicodedata.normalize("NFKC", secret)
    if len(value) < MIN_LENGTH:
        return f"パスワードは{MIN_LENGTH}文字以上にしてください", f"the password needs at least {MIN_LENGTH} characters"
    if value.casefold() in COMMON or value.casefold() == login.casefold() or login.casefold() in value.casefold():
        return ("よく使われるパスワードやログイン名を含むものは使えません",
                "a common password or one containing the login cannot be used")  # fmt: skip
    if len(set(value)) < 3:
        return ("同じ文字の繰り返しは使えません", "a password of one repeated character cannot be used")
    kinds = sum((any(c.isalpha() for c in value), any(c.isdigit() for c in value),
                 any(not c.isalnum() for c in value)))  # fmt: skip
    if kinds < 2:
        return ("英字・数字・記号のうち2種類以上を使ってください", "use at least two of letters, digits and symbols")
    return None
