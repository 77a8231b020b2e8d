"""Files sealed at rest under the data keys (server/storage/sealing.py): a call's recording.

A file is a header, then its content in chunks, each sealed with AES-256-GCM on its own:

    b"HLSF" ‖ version (1 byte) ‖ key id length (1 byte) ‖ key id (ASCII)
    then per chunk: length (4 bytes, big-endian) ‖ nonce ‖ ciphertext ‖ tag

Every chunk's associated data is the header, the file's context (what it belongs to, e.g. the call
it records), the chunk's index and whether it is the last. So a chunk moved, dropped or copied from
another file, a file cut short or given more after its last chunk, a file renamed to stand for
another call, or a header edited to name another key, all fail to open, with a message that says
so; nothing altered is ever handed back as audio. Chunks keep a long call's file from having to be
one sealed blob, and let the format read a file a chunk at a time.

The key id in the header is the one the file opens with; rotation (server/storage/rekeying.py)
writes the file again under the current key.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

from server.storage.sealing import SealingError, open_bytes, ring, seal_bytes

MAGIC = b"HLSF"
VERSION = 1
CHUNK_BYTES = 1 << 20  # plain bytes a chunk; a sealed chunk is 28 bytes more (nonce and tag)
_SEALED_OVERHEAD = 12 + 16
_LENGTH = struct.Struct(">I")


class SealedFileError(Exception):
    """A sealed file that cannot be read: not one of ours, damaged, altered, or its key is missing."""


def _header(key_id: str) -> bytes:
    encoded = key_id.encode("ascii")
    return MAGIC + bytes([VERSION, len(encoded)]) + encoded


def _associated(header: bytes, context: str, index: int, last: bool) -> bytes:
    return header + context.encode("utf-8") + struct.pack(">QB", index, last)


def seal_content(content: bytes, context: str) -> tuple[bytes, str]:
    """`content` as a sealed file's bytes under the current data key, and that key's id."""
    key_id = ring().current
    header = _header(key_id)
    parts = [header]
    starts = range(0, max(len(content), 1), CHUNK_BYTES)
    for index, start in enumerate(starts):
        last = index == len(starts) - 1
        sealed = seal_bytes(content[start:start + CHUNK_BYTES], _associated(header, context, index, last), key_id)
        parts += [_LENGTH.pack(len(sealed)), sealed]
    return b"".join(parts), key_id


def key_id_of_file(data: bytes) -> str:
    """The id of the key a sealed file's bytes were sealed with; SealedFileError if they are not one."""
    if data[:4] != MAGIC:
        raise SealedFileError("not a sealed Hotline file (its first bytes are not HLSF)")
    if len(data) < 6 or data[4] != VERSION:
        raise SealedFileError(f"a sealed file of format {data[4] if len(data) > 4 else '?'}, which this version "
                              f"does not read (it reads {VERSION})")
    end = 6 + data[5]
    if len(data) < end:
        raise SealedFileError("a sealed file cut short inside its header")
    return data[6:end].decode("ascii", errors="replace")


def open_content(data: bytes, context: str) -> bytes:
    """The content of a sealed file's bytes, checked whole; SealedFileError saying what is wrong."""
    key_id = key_id_of_file(data)
    header = data[:6 + data[5]]
    position, index, content = len(header), 0, []
    while True:
        if position + _LENGTH.size > len(data):
            raise SealedFileError(f"{context}: the file ends before its last chunk (chunk {index} missing): cut short")
        (length,) = _LENGTH.unpack_from(data, position)
        position += _LENGTH.size
        if length > CHUNK_BYTES + _SEALED_OVERHEAD or position + length > len(data):
            raise SealedFileError(f"{context}: chunk {index} is cut short or its length is damaged")
        sealed = data[position:position + length]
        position += length
        last = position == len(data)
        try:
            content.append(open_bytes(sealed, _associated(header, context, index, last), key_id,
                                      f"{context}, chunk {index}"))
        except SealingError as exc:
            if not last:
                try:  # said precisely: a last chunk with more after it
                    open_bytes(sealed, _associated(header, context, index, True), key_id, context)
                except SealingError:
                    pass
                else:
                    raise SealedFileError(f"{context}: the file goes on after its last chunk") from exc
            raise SealedFileError(str(exc)) from exc
        if last:
            return b"".join(content)
        index += 1


def write_sealed(path: Path, data: bytes) -> None:
    """Sealed bytes written whole beside `path` and moved onto it, readable by the owner only: a
    reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_name(path.name + ".part")
    descriptor = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(fresh, path)
    except BaseException:
        fresh.unlink(missing_ok=True)
        raise
