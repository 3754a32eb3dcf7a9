"""Search a Docker image's files for a secret without running a container from it.

The compose test checks that the `.env` password is in no image. Starting a container per image to
grep its file system costs a full copy of the image on the vfs storage driver; streaming
`docker save` and reading every layer's files costs one read, and it also sees files a later
layer deleted, which a running container would hide.
"""

from __future__ import annotations

import subprocess
import tarfile
from typing import IO

CHUNK = 1 << 20
COMPRESSED_MAGIC = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ")  # gzip, bzip2, xz: what tarfile streams
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def files_holding(image: str, needle: bytes) -> list[str]:
    """Every file of the image's saved form (`docker save`) that contains `needle`."""
    with subprocess.Popen(["docker", "save", image], stdout=subprocess.PIPE) as save:
        assert save.stdout is not None
        hits = files_holding_in_archive(save.stdout, needle)
        if save.wait() != 0:
            raise RuntimeError(f"docker save {image} failed with exit status {save.returncode}")
    return hits


def files_holding_in_archive(saved: IO[bytes], needle: bytes) -> list[str]:
    """The files of a saved image, read as a stream, that contain `needle`: `<layer blob>:<path>`
    for a file inside a layer, the blob's own name for a manifest or config."""
    hits: list[str] = []
    with tarfile.open(fileobj=saved, mode="r|") as archive:
        for blob in archive:
            if blob.isfile():
                hits += _hits_in_blob(archive.extractfile(blob), blob.name, needle)
    return hits


def _hits_in_blob(blob: IO[bytes], name: str, needle: bytes) -> list[str]:
    head = blob.peek(512)  # tarfile's member reader is buffered: peeking consumes nothing
    if head.startswith(ZSTD_MAGIC):
        raise RuntimeError(f"{name} is a zstd-compressed layer, which this scan cannot read")
    if head[257:262] != b"ustar" and not head.startswith(COMPRESSED_MAGIC):
        return [name] if _contains(blob, needle) else []
    hits = []
    with tarfile.open(fileobj=blob, mode="r|*") as layer:
        for entry in layer:
            if entry.isfile() and _contains(layer.extractfile(entry), needle):
                hits.append(f"{name}:{entry.name}")
    return hits


def _contains(stream: IO[bytes], needle: bytes) -> bool:
    """Whether the stream holds `needle`, read in chunks that overlap by the needle's length."""
    carry = b""
    while chunk := stream.read(CHUNK):
        window = carry + chunk
        if needle in window:
            return True
        carry = window[-(len(needle) - 1) :] if len(needle) > 1 else b""
    return False
