"""Text from bytes, whatever encoding a file was saved in (shared by every text reader)."""

from __future__ import annotations

import codecs

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


def encoding_of(head: bytes) -> str:
    """The encoding a file's first bytes call for: BOM, then UTF-16/32 without BOM (many NULs), else UTF-8."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    sample = head[:4000]
    nuls = sample.count(b"\x00")
    if sample and nuls > len(sample) // 4 and nuls < len(sample):  # NUL is valid UTF-8, so check first
        if nuls > len(sample) * 5 // 8:
            return "utf-32-le" if sample[1:4] == b"\x00\x00\x00" else "utf-32-be"
        return "utf-16-le" if sample[1:2] == b"\x00" else "utf-16-be"
    return "utf-8"


def decode(data: bytes) -> str:
    """Text from bytes: BOM first, then UTF-16/32 without BOM (many NULs), UTF-8, then cp1252."""
    encoding = encoding_of(data)
    if encoding != "utf-8":
        return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
