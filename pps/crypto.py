"""Encryption at rest: master keys, per-household data keys, field encryption and blind indexes.

Envelope encryption (SPEC R9, R13; SECURITY controls 7, 34-37)
-------------------------------------------------------------
- **Master keys** (key encryption keys) live outside the database, in ``FIELD_ENCRYPTION_KEYS``:
  ``key_id:base64url(32 bytes)`` entries separated by commas (or whitespace/newlines), the first
  being the current key. The others are kept only to unwrap data keys wrapped before a rotation.
  ``FIELD_ENCRYPTION_KEYS_FILE`` may name a file holding the same text instead. They are never
  derived from ``SECRET_KEY``.
- **Data keys**: each household (parent record) has its own random 256-bit data key, stored in the
  database only wrapped (AES-GCM) by a master key: ``v1.<key_id>.<nonce>.<ciphertext>``. Rotating
  the master key re-wraps the data keys (:func:`rewrap_data_key`); field ciphertexts are untouched.
  Destroying a household's wrapped data key makes all of its fields unrecoverable, in every backup.
- **Fields** are encrypted with the household's data key: AES-GCM, a fresh random 96-bit nonce
  each time (so equal values give different ciphertexts), and associated data naming the row and
  field (:func:`field_aad`, e.g. ``cases.Parent.first_name:<uuid>``), so a ciphertext copied to
  another row or field fails to decrypt. Token: ``e1.<base64url(nonce + ciphertext)>``. The token
  header is authenticated too. Field tokens carry no key id: the data key is the household's.

  Empty strings are encrypted like any other value, and plaintexts are padded to a multiple of
  ``PAD_BYTES`` before encryption, so the database shows neither which fields are empty nor the
  exact length of short values (names, phone numbers). Longer texts leak their length to within
  ``PAD_BYTES``. Token length: ``3 + ceil(4 * (28 + padded) / 3)`` characters, where ``padded`` is
  the UTF-8 length plus one, rounded up to a multiple of ``PAD_BYTES``.

Blind indexes (SECURITY control 36)
-----------------------------------
Search matches keyed digests instead of plaintext: ``blind_index(kind, value)`` is HMAC-SHA256 of
the (already normalised, see ``cases.search``) value under a key derived per kind (name, phone,
email, postcode) with HKDF from ``SEARCH_INDEX_KEY``, a secret separate from the master keys, then
truncated to 128 bits (22 base64url characters). Truncation keeps the index small; at 128 bits
there are no accidental collisions, so it does not blur equality.

What the indexes leak, to someone holding the database but not ``SEARCH_INDEX_KEY``:

- equality: rows sharing a token share a value of that kind. Two parents whose surnames start
  with "jo" share the "jo" token; two parents with the same phone number share a phone token;
- frequency: how many rows hold each token, so common name prefixes stand out, and how many
  tokens (hence roughly how many name words and letters) a parent has;
- nothing else: without the key a token cannot be turned back into a name, and digests of
  different kinds, or under another key, cannot be compared.

Why that is acceptable: the key is held outside the database, so a maintainer, a backup or a
stolen dump gives no names, numbers or addresses. Guessing a value means computing the HMAC, which
needs the key. Low-cardinality fields (need, provision, outcome...) are never indexed on their own,
since equality over a handful of values would reveal them. Name prefixes of two or more characters
are indexed so that "sar jon" finds Sarah Jones; the price is the frequency leak above.
Rotating ``SEARCH_INDEX_KEY`` means rebuilding every token from the decrypted fields.

Nothing here puts plaintext or key material in an exception message or a log, and the functions
handling them hide their local variables from Django's error reports.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.views.decorators.debug import sensitive_variables

KEY_RING_SETTING = "FIELD_ENCRYPTION_KEYS"
SEARCH_KEY_SETTING = "SEARCH_INDEX_KEY"
INDEX_KINDS = frozenset({"name", "phone", "email", "postcode"})

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
PAD_BYTES = 32
INDEX_BYTES = 16

WRAP_VERSION = "v1"
FIELD_PREFIX = "e1."

_KEY_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,32}")
_B64URL_RE = re.compile(r"[A-Za-z0-9_-]*={0,2}")
_MIN_FIELD_BODY = -(-4 * (NONCE_BYTES + PAD_BYTES + TAG_BYTES) // 3)  # base64 length of the shortest token
_FIELD_TOKEN_RE = re.compile(rf"e1\.[A-Za-z0-9_-]{{{_MIN_FIELD_BODY},}}")


class DecryptionError(Exception):
    """A token could not be decrypted: malformed, altered, in the wrong place or under a missing key."""


@dataclass(frozen=True)
class KeyRing:
    """Master keys by id; ``current_id`` wraps new data keys, every key can unwrap."""

    current_id: str
    keys: Mapping[str, bytes] = field(repr=False)

    def cipher(self, key_id: str) -> AESGCM:
        try:
            return AESGCM(self.keys[key_id])
        except KeyError:
            raise DecryptionError(
                f"The wrapped key names master key {key_id!r}, which is not in {KEY_RING_SETTING}."
            ) from None

    def __repr__(self) -> str:
        return f"KeyRing(current_id={self.current_id!r}, key_ids={list(self.keys)!r})"


# Configuration -------------------------------------------------------------------------------


def _b64decode(text: str) -> bytes:
    """Strict base64url, padding optional; raises ValueError."""
    if not _B64URL_RE.fullmatch(text):
        raise ValueError("not base64url")
    text = text.rstrip("=")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error:
        raise ValueError("not base64url") from None


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _generate_hint(name: str) -> str:
    function = "generate_key_ring_text" if name == KEY_RING_SETTING else "generate_search_key_text"
    return f'Generate one with: python -c "from pps.crypto import {function}; print({function}())"'


@sensitive_variables()
def _configured_text(name: str) -> str:
    """The text of setting ``name``, or of the file named by setting ``name_FILE`` (which wins)."""
    path = getattr(settings, f"{name}_FILE", None)
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ImproperlyConfigured(
                f"{name}_FILE is set but the file cannot be read ({type(exc).__name__})."
            ) from None
    else:
        text = getattr(settings, name, None) or ""
    if not isinstance(text, str) or not text.strip():
        raise ImproperlyConfigured(
            f"{name} is not set. Set the {name} environment variable (or {name}_FILE). "
            + _generate_hint(name)
        )
    return text


@sensitive_variables()
def _parse_key(text: str, name: str, where: str) -> bytes:
    try:
        key = _b64decode(text)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}: {where} is not valid base64url. {_generate_hint(name)}"
        ) from None
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(
            f"{name}: {where} is {len(key)} bytes long; it must be {KEY_BYTES} random bytes. "
            + _generate_hint(name)
        )
    return key


@sensitive_variables()
def load_key_ring(text: str, *, name: str = KEY_RING_SETTING) -> KeyRing:
    """Parse ``key_id:base64url(32 bytes)`` entries; the first is the current key.

    Raises ImproperlyConfigured naming ``name`` (never echoing the text) when the ring is empty,
    an entry is malformed, a key is not 32 bytes or a key id appears twice.
    """
    entries = [entry for entry in re.split(r"[,\s]+", text or "") if entry]
    if not entries:
        raise ImproperlyConfigured(f"{name} holds no keys. {_generate_hint(name)}")
    keys: dict[str, bytes] = {}
    for number, entry in enumerate(entries, start=1):
        key_id, colon, encoded = entry.partition(":")
        if not colon or not _KEY_ID_RE.fullmatch(key_id):
            raise ImproperlyConfigured(
                f"{name}: entry {number} is not of the form key_id:base64url_key "
                "(key ids: 1-32 letters, digits, '-' or '_')."
            )
        if key_id in keys:
            raise ImproperlyConfigured(
                f"{name}: entry {number} repeats an earlier key id; key ids must be unique."
            )
        keys[key_id] = _parse_key(encoded, name, f"the key of entry {number}")
    return KeyRing(current_id=next(iter(keys)), keys=MappingProxyType(keys))


@lru_cache(maxsize=1)
def get_key_ring() -> KeyRing:
    """The configured key ring, parsed once (see :func:`reset_key_ring_cache`)."""
    return load_key_ring(_configured_text(KEY_RING_SETTING))


@lru_cache(maxsize=1)
def _search_key() -> bytes:
    return _parse_key(_configured_text(SEARCH_KEY_SETTING).strip(), SEARCH_KEY_SETTING, "the key")


@lru_cache(maxsize=len(INDEX_KINDS))
def _index_key(kind: str) -> bytes:
    hkdf = HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=b"pps.blind-index.v1:" + kind.encode()
    )
    return hkdf.derive(_search_key())


@lru_cache(maxsize=1)
def _backup_code_key() -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=b"pps.backup-code.v1")
    return hkdf.derive(_search_key())


def reset_key_ring_cache() -> None:
    """Forget all cached key material, so the next use reads the settings again."""
    get_key_ring.cache_clear()
    _search_key.cache_clear()
    _index_key.cache_clear()
    _backup_code_key.cache_clear()


@receiver(setting_changed)
def _reset_on_setting_changed(*, setting: str, **kwargs) -> None:
    if setting.removesuffix("_FILE") in (KEY_RING_SETTING, SEARCH_KEY_SETTING):
        reset_key_ring_cache()


def generate_key_ring_text(key_id: str | None = None) -> str:
    """A fresh ``key_id:key`` entry; put it first in FIELD_ENCRYPTION_KEYS to make it current."""
    key_id = key_id or f"k{secrets.token_hex(4)}"
    if not _KEY_ID_RE.fullmatch(key_id):
        raise ValueError("A key id is 1-32 letters, digits, '-' or '_'.")
    return f"{key_id}:{_b64encode(secrets.token_bytes(KEY_BYTES))}"


def generate_search_key_text() -> str:
    """A fresh value for SEARCH_INDEX_KEY."""
    return _b64encode(secrets.token_bytes(KEY_BYTES))


# Data keys -----------------------------------------------------------------------------------


def new_data_key() -> bytes:
    """A random 256-bit data key for one household."""
    return secrets.token_bytes(KEY_BYTES)


def _check_key(key: bytes) -> None:
    if not isinstance(key, bytes) or len(key) != KEY_BYTES:
        raise ValueError(f"A data key is {KEY_BYTES} bytes.")


def _check_aad(aad: bytes | str) -> None:
    if not aad:
        raise ValueError("Associated data is required: it binds the ciphertext to its place.")


@sensitive_variables()
def wrap_data_key(data_key: bytes, *, aad: bytes) -> str:
    """``v1.<key_id>.<nonce>.<ciphertext>``: the data key encrypted under the current master key."""
    _check_key(data_key)
    _check_aad(aad)
    ring = get_key_ring()
    header = f"{WRAP_VERSION}.{ring.current_id}."
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = ring.cipher(ring.current_id).encrypt(nonce, data_key, header.encode() + aad)
    return f"{header}{_b64encode(nonce)}.{_b64encode(sealed)}"


@sensitive_variables()
def _unwrap(token: str, aad: bytes) -> tuple[str, bytes]:
    _check_aad(aad)
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 4 or parts[0] != WRAP_VERSION or not _KEY_ID_RE.fullmatch(parts[1]):
        raise DecryptionError("The wrapped key token is malformed.")
    key_id = parts[1]
    try:
        nonce, sealed = _b64decode(parts[2]), _b64decode(parts[3])
    except ValueError:
        raise DecryptionError("The wrapped key token is malformed.") from None
    if len(nonce) != NONCE_BYTES or len(sealed) != KEY_BYTES + TAG_BYTES:
        raise DecryptionError("The wrapped key token is malformed.")
    cipher = get_key_ring().cipher(key_id)
    try:
        data_key = cipher.decrypt(nonce, sealed, f"{WRAP_VERSION}.{key_id}.".encode() + aad)
    except InvalidTag as exc:
        raise DecryptionError(
            "The wrapped key failed authentication: altered, or unwrapped for another record."
        ) from exc
    return key_id, data_key


def unwrap_data_key(token: str, *, aad: bytes) -> bytes:
    """The data key in ``token``, under whichever master key it names.

    Raises DecryptionError when the token is malformed or altered, names a key not in the ring,
    or was wrapped with other associated data (another record).
    """
    return _unwrap(token, aad)[1]


@sensitive_variables()
def rewrap_data_key(token: str, *, aad: bytes) -> str:
    """``token`` re-wrapped under the current master key; unchanged (but verified) if already so."""
    key_id, data_key = _unwrap(token, aad)
    if key_id == get_key_ring().current_id:
        return token
    return wrap_data_key(data_key, aad=aad)


# Fields --------------------------------------------------------------------------------------


def field_aad(model_label: str, field_name: str, pk: object) -> str:
    """Where a value lives, e.g. ``cases.Parent.first_name:<uuid>``; used as associated data."""
    if pk is None or str(pk) == "":
        raise ValueError("A field can only be encrypted once its row has a primary key.")
    return f"{model_label}.{field_name}:{pk}"


def is_encrypted_token(value: object) -> bool:
    """Whether ``value`` has the shape of a field token (not whether it decrypts)."""
    return isinstance(value, str) and _FIELD_TOKEN_RE.fullmatch(value) is not None


def _utf8(text: str, what: str) -> bytes:
    if not isinstance(text, str):
        raise TypeError(f"The {what} must be a str.")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # The exception would carry the whole text; raise one that does not.
        raise ValueError(f"The {what} is not valid Unicode (it holds a lone surrogate).") from None


@sensitive_variables()
def encrypt_field(data_key: bytes, plaintext: str, *, aad: str) -> str:
    """``e1.<nonce + ciphertext>``: ``plaintext`` (empty included) padded and sealed to ``aad``."""
    _check_key(data_key)
    _check_aad(aad)
    data = _utf8(plaintext, "plaintext") + b"\x80"
    data += b"\x00" * (-len(data) % PAD_BYTES)
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(data_key).encrypt(nonce, data, FIELD_PREFIX.encode() + _utf8(aad, "aad"))
    return FIELD_PREFIX + _b64encode(nonce + sealed)


@sensitive_variables()
def decrypt_field(data_key: bytes, token: str, *, aad: str) -> str:
    """The plaintext of a field token; DecryptionError if malformed, altered or from another place."""
    _check_key(data_key)
    _check_aad(aad)
    if not is_encrypted_token(token):
        raise DecryptionError("The value is not an encrypted field token.")
    try:
        raw = _b64decode(token[len(FIELD_PREFIX) :])
    except ValueError:
        raise DecryptionError("The field token is malformed.") from None
    nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
    try:
        data = AESGCM(data_key).decrypt(nonce, sealed, FIELD_PREFIX.encode() + _utf8(aad, "aad"))
    except InvalidTag as exc:
        raise DecryptionError(
            "The field failed authentication: wrong data key, altered, or copied from another row or field."
        ) from exc
    data = data.rstrip(b"\x00")
    if not data.endswith(b"\x80"):
        raise DecryptionError("The field token's padding is invalid.")
    return data[:-1].decode("utf-8")


# Blind indexes -------------------------------------------------------------------------------


#: How a backup code's keyed hash starts (``pps.models.BackupCodes``).
BACKUP_CODE_PREFIX = "hmac-sha256$"


@sensitive_variables("code")
def backup_code_digest(owner: str, code: str) -> str:
    """A backup code's keyed hash: HMAC-SHA256 of the owner's id and the (normalised) code, under
    a key derived with HKDF from ``SEARCH_INDEX_KEY`` for this use only. One hash checks a typed
    code against all of a person's codes; without the key nothing can be computed from the
    stored hashes, and the codes are random (50 bits), so a slow hash adds nothing."""
    message = _utf8(f"{owner}:{code}", "code")
    return BACKUP_CODE_PREFIX + hmac.new(_backup_code_key(), message, hashlib.sha256).hexdigest()


@sensitive_variables()
def blind_index(kind: str, value: str) -> str:
    """The search token for an already normalised ``value`` of ``kind`` (name, phone, email, postcode)."""
    if kind not in INDEX_KINDS:
        raise ValueError(f"Unknown blind index kind {kind!r}; expected one of {sorted(INDEX_KINDS)}.")
    digest = hmac.new(_index_key(kind), _utf8(value, "value"), hashlib.sha256).digest()
    return _b64encode(digest[:INDEX_BYTES])


# Files ---------------------------------------------------------------------------------------

FILE_PREFIX = b"f1."


@sensitive_variables()
def encrypt_bytes(data_key: bytes, data: bytes, *, aad: str) -> bytes:
    """``f1.<nonce><ciphertext>``: a file's bytes sealed with AES-GCM under ``data_key`` and bound
    to ``aad`` (where the file belongs, see :func:`field_aad`). Not padded: a file's size shows."""
    _check_key(data_key)
    _check_aad(aad)
    nonce = secrets.token_bytes(NONCE_BYTES)
    return FILE_PREFIX + nonce + AESGCM(data_key).encrypt(nonce, bytes(data), FILE_PREFIX + _utf8(aad, "aad"))


@sensitive_variables()
def decrypt_bytes(data_key: bytes, sealed: bytes, *, aad: str) -> bytes:
    """The bytes sealed by :func:`encrypt_bytes`; DecryptionError if altered, misplaced or malformed."""
    _check_key(data_key)
    _check_aad(aad)
    if not sealed.startswith(FILE_PREFIX) or len(sealed) < len(FILE_PREFIX) + NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("The file is not an encrypted file.")
    body = sealed[len(FILE_PREFIX) :]
    try:
        return AESGCM(data_key).decrypt(
            body[:NONCE_BYTES], body[NONCE_BYTES:], FILE_PREFIX + _utf8(aad, "aad")
        )
    except InvalidTag as exc:
        raise DecryptionError(
            "The file failed authentication: wrong data key, altered, or copied from another record."
        ) from exc
