"""The agent's TLS certificate for the kiosk API: self-signed, made once, pinned by each kiosk by its fingerprint.

A clinic LAN has no certificate authority; pinning the one certificate the agent made (its SHA-256 fingerprint,
printed by `uketsuke kiosk pair` and written into the kiosk PC's configuration) gives the same guarantee without
one: only the holder of the agent's private key can answer the kiosk.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import socket
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

VALID_FOR = timedelta(days=3650)  # replaced by re-pairing, not by expiry; a kiosk checks the pin, not dates


def ensure_certificate(cert_path: Path, key_path: Path, names: list[str] | None = None) -> str:
    """The certificate's fingerprint, making the key (0600) and certificate first if they do not exist."""
    if not (cert_path.is_file() and key_path.is_file()):
        _make(cert_path, key_path, names or [socket.gethostname(), "localhost", "127.0.0.1"])
    return fingerprint_of_pem(cert_path.read_text(encoding="ascii"))


def _make(cert_path: Path, key_path: Path, names: list[str]) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Uketsuke agent"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Uketsuke")])  # fmt: skip
    alternatives: list[x509.GeneralName] = []
    for name in dict.fromkeys(names):
        try:
            alternatives.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alternatives.append(x509.DNSName(name))
    now = datetime.now(UTC)
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(subject).public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + VALID_FOR)
        .add_extension(x509.SubjectAlternativeName(alternatives), critical=False)
        # its own trust anchor on the kiosk: a CA that can sign nothing but itself
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False, key_agreement=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    key_path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(key_path.parent, 0o700)
    key_bytes = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())  # fmt: skip
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key_bytes)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


def fingerprint_of_pem(pem: str) -> str:
    """SHA256:AB:CD:… of the certificate's DER bytes (what `openssl x509 -fingerprint -sha256` shows)."""
    digest = hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest().upper()
    return "SHA256:" + ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def same_fingerprint(a: str, b: str) -> bool:
    """Fingerprints compare without regard to case, colons or the SHA256: prefix."""
    def plain(value: str) -> str:
        return value.upper().removeprefix("SHA256:").replace(":", "").strip()

    return bool(plain(a)) and plain(a) == plain(b)
