"""Hashing staff PINs and passwords with scrypt (stdlib): `scrypt$n$r$p$salt$hash`, compared in constant time.

N = 2^17, r = 8, p = 1 is OWASP's current scrypt guidance (128 MiB per hash). Stored hashes carry their own
parameters, so older 2^14 hashes still verify; `needs_rehash` tells the caller to upgrade one after a good login."""

from __future__ import annotations

import hashlib
import hmac
import secrets

N, R, P = 2**17, 8, 1
MAXMEM = 256 * 1024 * 1024  # hashlib's default 32 MiB is below what N = 2^17, r = 8 needs


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode("utf-8"), salt=salt, n=N, r=R, p=P, dklen=32, maxmem=MAXMEM)
    return f"scrypt${N}${R}${P}${salt.hex()}${digest.hex()}"


def needs_rehash(stored: str) -> bool:
    parts = stored.split("$")
    return len(parts) != 6 or parts[0] != "scrypt" or (parts[1], parts[2], parts[3]) != (str(N), str(R), str(P))


def verify_secret(secret: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        if int(n) > 2**20 or int(r) > 32 or int(p) > 4:
            return False  # a stored hash must not make us spend unbounded memory or time
        again = hashlib.scrypt(secret.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                               dklen=len(digest) // 2, maxmem=MAXMEM * 4)  # fmt: skip
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(again.hex(), digest)
