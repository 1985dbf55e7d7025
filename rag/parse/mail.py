"""E-mail messages (.eml): the subject as the title, the body as text.

Parsed with the standard library; the HTML part is used only when there is
no plain-text part. Attachments are not read.
"""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

from ..errors import BrokenFile, EmptyDocument, EncryptedFile
from ..types import ParsedDocument
from . import titles
from .builder import Builder
from .encoding import decode

_REPLY_PREFIX = re.compile(r"^(\s*(re|fw|fwd|aw|wg|sv|tr)\s*(\[\d+\])?\s*:\s*)+", re.I)
ENCRYPTED_TYPES = {"application/pkcs7-mime", "application/x-pkcs7-mime", "multipart/encrypted", "application/pgp-encrypted"}


def parse_eml(path: Path, name: str) -> ParsedDocument:
    data = path.read_bytes()
    if not data.strip():
        raise EmptyDocument("This file is empty.")
    try:
        if data[:4].count(b"\x00") >= 1 or data.startswith((b"\xff\xfe", b"\xfe\xff")):  # a UTF-16/32 export
            message = email.message_from_string(decode(data), policy=email.policy.default)
        else:
            message = email.message_from_bytes(data, policy=email.policy.default)
    except Exception as err:  # noqa: BLE001 - the stdlib parser is lenient; this is a last resort
        raise BrokenFile("This e-mail file is damaged and couldn't be read.") from err
    if message.get_content_type() in ENCRYPTED_TYPES or any(
        part.get_content_type() in ENCRYPTED_TYPES for part in message.walk()
    ):
        raise EncryptedFile("This e-mail is encrypted; it can't be read without its key.")
    if not message.keys():
        raise BrokenFile("This file isn't an e-mail message.")
    b = Builder(name)
    subject = str(message.get("subject", "") or "").strip()
    if subject:
        b.title(subject, 1)
    sender = str(message.get("from", "") or "")
    date = str(message.get("date", "") or "")
    if sender or date:
        b.add(" · ".join(x for x in (f"From: {sender}" if sender else "", f"Date: {date}" if date else "") if x))
    body = message.get_body(preferencelist=("plain", "html"))
    if body is not None:
        try:
            content = body.get_content()
        except (LookupError, UnicodeDecodeError, AssertionError):
            content = decode(body.get_payload(decode=True) or b"")
        if body.get_content_type() == "text/html":
            from .web import parse_html_text

            # A message is all its sender's words: no page furniture to leave out.
            b.elements.extend(parse_html_text(content, name, main_content_only=False).elements)
        else:
            for para in content.replace("\r\n", "\n").split("\n\n"):
                b.add(para)
    if len(b.elements) <= (1 if subject else 0) + (1 if sender or date else 0):
        raise EmptyDocument("This e-mail has no text in its body.")
    # "Re: Fwd: Launch recap" is about "Launch recap".
    return ParsedDocument(name, b.elements, title=titles.choose([_REPLY_PREFIX.sub("", subject)], name))
