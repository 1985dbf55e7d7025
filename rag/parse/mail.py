"""E-mail messages (.eml): the subject as the title, the body as text.

Parsed with the standard library; the HTML part is used only when there is
no plain-text part. Attachments are not read.

The headers are the document's facts, not its text: the subject is its
title, the sender its author, the date its date. A header line in a passage
was quoted as the answer to "When is the event?" ("From: … · Date: …"), so
none is. Of the body, the older messages a reply quotes ("> …", "On … wrote:",
"-----Original Message-----"), the signature (after "-- ") and "Sent from my
phone" lines are left out; a forwarded message is kept without its header block.
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
    subject = _header(message, "subject")
    if subject:
        b.title(subject, 1)
    body = message.get_body(preferencelist=("plain", "html"))
    if body is not None:
        try:
            content = body.get_content()
        except (LookupError, UnicodeDecodeError, AssertionError):
            content = decode(body.get_payload(decode=True) or b"")
        if body.get_content_type() == "text/html":
            from .web import parse_html_text

            # A message is all its sender's words: no page furniture to leave out.
            b.elements.extend(parse_html_text(_html_without_history(content), name, main_content_only=False).elements)
        else:
            for para in own_text(content).split("\n\n"):
                b.add(para)
    if len(b.elements) <= (1 if subject else 0):
        raise EmptyDocument("This e-mail has no text in its body.")
    # "Re: Fwd: Launch recap" is about "Launch recap".
    return ParsedDocument(name, b.elements, title=titles.choose([_REPLY_PREFIX.sub("", subject)], name),
                          modified=_sent(message), author=_header(message, "from") or None)


def _header(message, name: str) -> str:
    try:
        return " ".join(str(message.get(name, "") or "").split())
    except Exception:  # noqa: BLE001 - a malformed header is left out, the message is still read
        return ""


def _sent(message) -> float | None:
    """When the message was sent (its Date header), epoch seconds."""
    from email.utils import parsedate_to_datetime

    try:
        stamp = parsedate_to_datetime(_header(message, "date"))
    except (TypeError, ValueError, IndexError):
        return None
    return stamp.timestamp() if stamp is not None else None


# where an older message starts below a reply, in the mail programs people use
_HISTORY = re.compile(
    r"^(-{2,}\s*original message\s*-{2,}|_{10,}|"
    r"on\s.{4,200}\s(wrote|schrieb|a écrit|escribió|scrisse|schreef|skrev)\s*:|"
    r"am\s.{4,200}\sschrieb.*:|le\s.{4,200}\sa écrit\s*:|el\s.{4,200}\sescribió\s*:)\s*$",
    re.IGNORECASE,
)
_FORWARDED = re.compile(r"^-{2,}\s*(forwarded message|begin forwarded message|weitergeleitete nachricht|message transféré)"
                        r"\s*-*\s*:?$|^begin forwarded message\s*:$", re.IGNORECASE)
_HEADER_LINE = re.compile(r"^(from|to|cc|bcc|date|sent|subject|reply-to|von|an|datum|betreff|de|à|objet|envoyé)\s*:", re.I)
_SIGNATURE = re.compile(r"^(--|-- )$")
_SENT_FROM = re.compile(r"^(sent from my \w+|get outlook for \w+|envoyé de mon \w+|von meinem \w+ gesendet)\b.*$",
                        re.IGNORECASE)


def own_text(content: str) -> str:
    """A plain-text body without the messages it replies to, its signature or its header blocks."""
    lines = content.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    in_headers = seen_header = False
    for line in lines:
        bare = line.strip()
        if _FORWARDED.match(bare):
            in_headers, seen_header = True, False  # the forwarded message is kept, its From/Date/Subject block isn't
            kept.append("")
            continue
        if in_headers:
            if _HEADER_LINE.match(bare):
                seen_header = True
                continue
            if not bare:
                in_headers = not seen_header
                continue
            in_headers = False
        if _HISTORY.match(bare) or _SIGNATURE.match(line.rstrip()):
            break
        if bare.startswith(">") or _SENT_FROM.match(bare):
            continue
        kept.append(line)
    return "\n".join(kept)


def _html_without_history(html: str) -> str:
    """An HTML body without quoted earlier messages and signatures (Gmail, Outlook, Apple Mail, Thunderbird).

    A forwarded message is what was sent: kept, without its header block.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    for tag in soup.select(".gmail_quote"):
        if tag.decomposed or tag.find_parent(class_="gmail_quote"):
            continue
        if _FORWARDED_ANY.search(tag.get_text(" ")[:300]):
            for attr in tag.select(".gmail_attr"):
                attr.decompose()  # the forwarded message's From/Date/Subject block
        else:
            tag.decompose()  # "On … wrote:" and the message replied to
    for tag in soup.select("blockquote[type=cite], .gmail_signature, .moz-cite-prefix, .moz-signature, "
                           ".yahoo_quoted, [data-smartmail=gmail_signature]"):
        tag.decompose()
    for marker in soup.select("#divRplyFwdMsg, #appendonsend"):
        for later in list(marker.find_next_siblings()):
            later.decompose()  # Outlook puts the older message after this marker, not inside it
        marker.decompose()
    return str(soup)


_FORWARDED_ANY = re.compile(r"forwarded message|weitergeleitete nachricht|message transféré", re.IGNORECASE)
