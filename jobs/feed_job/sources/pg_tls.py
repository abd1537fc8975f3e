"""libpq's sslmode for a PostgreSQL source, and what a failed TLS connect means, in one line."""

from __future__ import annotations

import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


from ..errors import FeedError

PG_SSLMODES = ("disable", "prefer", "require", "verify-ca", "verify-full")
PG_DEFAULT_SSLMODE = "verify-full"


def pg_sslmode(url: str) -> str:
    """The url's `sslmode` query parameter (the last one if repeated), verify-full when absent."""
    values = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query, keep_blank_values=True).get("sslmode")
    mode = values[-1] if values else PG_DEFAULT_SSLMODE
    if mode not in PG_SSLMODES:
        raise FeedError(
            f"the secret's postgresql url has sslmode={mode!r}: allowed are {', '.join(PG_SSLMODES)}"
            f" ({PG_DEFAULT_SSLMODE} when absent; libpq's `allow` is not supported)"
        )
    return mode


def pg_ssl_context(sslmode: str, ca_pem: str | None) -> ssl.SSLContext | bool | None:
    """pg8000's `ssl_context` for a libpq sslmode: False = no TLS; None = pg8000's own attempt (TLS
    when the server offers it, unverified: `prefer`); else a context. `ca_pem` (PEM text) replaces the
    system trust store; with it `require` verifies the chain as libpq's require with a root CA does."""
    if sslmode == "disable":
        return False
    if sslmode == "prefer":
        return None
    try:
        context = ssl.create_default_context(cadata=ca_pem) if ca_pem else ssl.create_default_context()
    except ssl.SSLError as error:
        raise FeedError(
            f"the secret's ca_pem holds no usable PEM certificate (-----BEGIN CERTIFICATE----- ...): {error}"
        ) from None
    if sslmode != "verify-full":
        context.check_hostname = False
    if sslmode == "require" and not ca_pem:
        context.verify_mode = ssl.CERT_NONE
    return context


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error and the errors it was raised from or during (a driver may wrap the ssl error)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


_X509_NAME_MISMATCH = frozenset({62, 64})
"""OpenSSL verify codes: the host name (62) or IP address (64) is not the certificate's."""
_X509_UNKNOWN_ISSUER = frozenset({2, 18, 19, 20})
"""OpenSSL verify codes: issuer not found (2, 20), self-signed (18), self-signed in the chain (19)."""


def _certificate_hint(error: ssl.SSLCertVerificationError, reason: str, ca_pem: bool) -> str:
    if error.verify_code in _X509_NAME_MISMATCH or reason.startswith(
        ("Hostname mismatch", "IP address mismatch")
    ):
        return (
            "connect with an address or host name the certificate holds, or use sslmode=verify-ca to verify"
            " the CA only"
        )
    if error.verify_code in _X509_UNKNOWN_ISSUER:
        if ca_pem:
            return (
                "the secret's ca_pem does not hold the CA that signed it: put that CA's PEM certificate there"
            )
        return (
            "its CA is not in the system trust store: put the CA certificate (PEM text) into the secret"
            " as ca_pem"
        )
    trusted = "the secret's ca_pem" if ca_pem else "the system trust store (or the secret's ca_pem)"
    return f"the server's certificate must be fixed; it is verified against {trusted}"


def pg_connect_error(error: Exception, sslmode: str, ca_pem: bool) -> str:
    """What a failed pg8000 connect means, TLS failures spelled out, as one line without the password.
    pg8000 raises the ssl module's errors as they are and InterfaceError "Server refuses SSL" when
    the server answers the SSLRequest with N; the chain is searched in case a version wraps them."""
    for cause in _causes(error):
        if isinstance(cause, ssl.SSLCertVerificationError):
            reason = str(cause.verify_message or cause).rstrip(".")
            return (
                f"the server's TLS certificate could not be verified (sslmode={sslmode}): {reason}; "
                + _certificate_hint(cause, reason, ca_pem)
            )
        if isinstance(cause, ssl.SSLError):
            return f"the TLS handshake with the server failed (sslmode={sslmode}): {cause}"
        if str(cause) == "Server refuses SSL":
            return (
                f"TLS is required (sslmode={sslmode}) but the server does not offer it: set sslmode=disable"
                " in the secret's url to connect without TLS, or ask the database's administrators for TLS"
            )
    return pg_error(error)


def pg_error(error: Exception) -> str:
    """A pg8000 error as the server's message and SQLSTATE (pg8000 gives the server's fields as a dict)."""
    fields = error.args[0] if error.args else None
    if isinstance(fields, dict) and "M" in fields:
        return f"{fields['M']} (SQLSTATE {fields.get('C', '?')})"
    return str(error)
