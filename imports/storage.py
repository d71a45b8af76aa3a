"""The uploaded file while it waits to be imported: personal data, so kept encrypted.

The file is written outside every public folder (``settings.IMPORTS_DIR``), under a random name,
encrypted with the import's own data key (wrapped by the master key, ``pps.crypto``): AES-GCM in
chunks of ``CHUNK`` bytes, each sealed with a fresh nonce and bound to the import and to its
position (associated data), the last chunk marked as last so that a cut-off file fails. Reading
decrypts one chunk at a time, and the reader can seek (openpyxl needs that), so even a large file
never sits decrypted in memory or on disk. The file is deleted when the import ends or is
cancelled.
"""

import io
import os
import secrets
import struct
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

CHUNK = 256 * 1024
NONCE = 12
TAG = 16
SEALED = NONCE + CHUNK + TAG


class StoredFileDamaged(Exception):
    """The stored file was altered, cut short or belongs to another import."""


def folder() -> Path:
    path = Path(settings.IMPORTS_DIR)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def new_name() -> str:
    return f"{secrets.token_hex(16)}.bin"


def _aad(label: str, index: int, last: bool) -> bytes:
    return f"imports.upload:{label}".encode() + struct.pack(">Q?", index, last)


class EncryptedWriter:
    """Writes a new encrypted file from pieces of any size (an upload as it arrives)."""

    def __init__(self, *, key: bytes, label: str):
        self.name = new_name()
        self.size = 0
        self._cipher = AESGCM(key)
        self._label = label
        self._index = 0
        self._pending = b""
        descriptor = os.open(folder() / self.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._out = os.fdopen(descriptor, "wb")

    def _seal(self, chunk: bytes, last: bool) -> None:
        nonce = secrets.token_bytes(NONCE)
        self._out.write(nonce + self._cipher.encrypt(nonce, chunk, _aad(self._label, self._index, last)))
        self._index += 1

    def write(self, data: bytes) -> None:
        self.size += len(data)
        self._pending += data
        # Keep at least one byte back: the last chunk is sealed as last by ``finish``.
        while len(self._pending) > CHUNK:
            self._seal(self._pending[:CHUNK], last=False)
            self._pending = self._pending[CHUNK:]

    def finish(self) -> str:
        self._seal(self._pending, last=True)
        self._pending = b""
        self._out.close()
        return self.name

    def abort(self) -> None:
        self._out.close()
        delete(self.name)


def write_encrypted(source, *, key: bytes, label: str) -> tuple[str, int]:
    """Copy ``source`` (a binary file object) into a new encrypted file; (its name, plain size)."""
    writer = EncryptedWriter(key=key, label=label)
    try:
        while chunk := source.read(CHUNK):
            writer.write(chunk)
    except BaseException:
        writer.abort()
        raise
    return writer.finish(), writer.size


def delete(name: str) -> None:
    if name:
        (folder() / name).unlink(missing_ok=True)


class EncryptedReader(io.RawIOBase):
    """A seekable, read-only view of the plaintext of an encrypted file."""

    def __init__(self, name: str, *, key: bytes, label: str):
        self._file = open(folder() / name, "rb")  # noqa: SIM115 - closed by close()
        self._cipher = AESGCM(key)
        self._label = label
        stored = os.fstat(self._file.fileno()).st_size
        self._chunks = max(1, -(-stored // SEALED))
        last_sealed = stored - (self._chunks - 1) * SEALED
        self._size = (self._chunks - 1) * CHUNK + max(0, last_sealed - NONCE - TAG)
        self._position = 0
        self._cached = (-1, b"")

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self._position

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def _chunk(self, index: int) -> bytes:
        if self._cached[0] == index:
            return self._cached[1]
        self._file.seek(index * SEALED)
        sealed = self._file.read(SEALED)
        try:
            plain = self._cipher.decrypt(
                sealed[:NONCE], sealed[NONCE:], _aad(self._label, index, index == self._chunks - 1)
            )
        except (InvalidTag, ValueError):
            raise StoredFileDamaged("The stored upload failed authentication.") from None
        self._cached = (index, plain)
        return plain

    def readinto(self, buffer):
        if self._position >= self._size:
            return 0
        index, start = divmod(self._position, CHUNK)
        data = self._chunk(index)[start : start + len(buffer)]
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)

    def close(self):
        self._file.close()
        super().close()


def open_reader(name: str, *, key: bytes, label: str):
    return io.BufferedReader(EncryptedReader(name, key=key, label=label), buffer_size=CHUNK)
