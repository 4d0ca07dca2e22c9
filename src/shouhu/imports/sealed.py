"""The import's files at rest: the upload, the rows its check found good, the rows it refused.

Each holds ID and phone numbers, so none is ever written in clear: a file is a series of lines, each
a token of the registry's field encryption (``children.crypto.encrypt``: Fernet with the field key),
created with mode 0600 (``O_EXCL``: never an existing file reused). Binary content (the upload) is
base64 inside the token. The files live under MEDIA_ROOT/imports/ only while the job needs them.
"""

from __future__ import annotations

import base64
import io
import os
from collections.abc import Iterator
from pathlib import Path

from shouhu.children import crypto

BLOCK = 1024 * 1024  # bytes of the upload sealed in one token


class Writer:
    def __init__(self, path: Path):
        self.path = path
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self.out = os.fdopen(fd, "w", encoding="ascii")

    def text(self, text: str) -> None:
        self.out.write(crypto.encrypt(text))
        self.out.write("\n")

    def binary(self, data: bytes) -> None:
        self.text(base64.b64encode(data).decode("ascii"))

    def close(self) -> None:
        self.out.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def write_upload(path: Path, chunks) -> None:
    """Seal an upload (``UploadedFile.chunks()``) in blocks of about ``BLOCK`` bytes."""
    buffer = bytearray()
    with Writer(path) as out:
        for part in chunks:
            buffer += part
            while len(buffer) >= BLOCK:
                out.binary(bytes(buffer[:BLOCK]))
                del buffer[:BLOCK]
        if buffer:
            out.binary(bytes(buffer))


def read_upload(path: Path) -> io.BytesIO:
    """The upload, opened in memory (a sheet is at most IMPORT_MAX_BYTES)."""
    data = io.BytesIO()
    for text in texts(path):
        data.write(base64.b64decode(text))
    data.seek(0)
    return data


def texts(path: Path) -> Iterator[str]:
    with open(path, encoding="ascii") as lines:
        for line in lines:
            line = line.strip()
            if line:
                yield crypto.decrypt(line)
