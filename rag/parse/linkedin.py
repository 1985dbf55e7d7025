"""A LinkedIn posts export becomes one document per post, each with its date.

LinkedIn's "Get a copy of your data" archive holds your posts in ``Shares.csv``
with the columns ``Date`` (``YYYY-MM-DD HH:MM:SS``, UTC), ``ShareLink``,
``ShareCommentary`` (the post text), ``SharedUrl``, ``MediaUrl`` and
``Visibility``. The text column has a quirk of its own: after normal CSV
unquoting a multi-line post may still be wrapped in quotes, with each line
break written as ``"\\n"`` and inner quotes doubled. Third-party exporters name
the columns differently ("Post text", "Date posted", "Post URL"); those are
read too when the file is clearly a posts export.

Each post is stored as a small text document (its original), so it is kept,
versioned and deleted like any other document::

    LinkedIn post · 2024-03-05 14:02:11 UTC
    Link: https://www.linkedin.com/feed/update/urn:li:share:...

    <the post text, line breaks kept>

:func:`split_post` reads that header back (the date is the chunks' date;
the body is what the voice profile measures).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import PurePosixPath

from ..errors import EmptyDocument, GroundedError
from .dates import parse_date

HEADER_PREFIX = "LinkedIn post · "

# Column names, compared without case, spaces or underscores.
TEXT_COLUMNS = ("sharecommentary", "commentary", "posttext", "postcontent", "text", "content", "post", "body")
DATE_COLUMNS = ("date", "createdat", "created", "publishedat", "published", "postedat", "posted", "postdate",
                "dateposted", "publishdate", "timestamp")
LINK_COLUMNS = ("sharelink", "posturl", "postlink", "url", "link", "permalink")
SHARED_COLUMNS = ("sharedurl", "sharedlink")
# Files of the same archive that are not one's posts (comments on others' posts, messages...).
NOT_POSTS = ("comments", "messages", "connections", "invitations", "reactions", "votes", "rich_media", "ad_targeting")


@dataclass(frozen=True)
class Post:
    date: datetime | None  # UTC
    text: str
    link: str = ""
    shared_url: str = ""

    @property
    def timestamp(self) -> float | None:
        return self.date.timestamp() if self.date else None


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name.strip().lower().lstrip("\ufeff"))


def _decode(data: bytes) -> str:
    from .encoding import decode

    return decode(data)


def _rows(data: bytes) -> list[list[str]]:
    text = _decode(data)
    csv.field_size_limit(10_000_000)
    try:
        return list(csv.reader(io.StringIO(text)))
    except csv.Error:
        return []


def _columns(header: list[str]) -> dict[str, int]:
    """Which column holds the text, date, link and shared link (only those found)."""
    keys = [_key(h) for h in header]
    found: dict[str, int] = {}
    for role, names in (("text", TEXT_COLUMNS), ("date", DATE_COLUMNS), ("link", LINK_COLUMNS), ("shared", SHARED_COLUMNS)):
        for name in names:  # the first name in the list that is present wins
            if name in keys:
                found[role] = keys.index(name)
                break
    return found


def _header(data: bytes) -> list[str]:
    first = _decode(data[:20000]).lstrip("\ufeff").splitlines()[:1]
    return next(csv.reader(first), []) if first else []


def is_posts_csv(name: str, data: bytes) -> bool:
    """True for a LinkedIn posts export (``Shares.csv``) or a posts CSV from another exporter."""
    if PurePosixPath(name).suffix.lower() != ".csv":
        return False
    stem = PurePosixPath(name).stem.lower()
    if any(word in stem for word in NOT_POSTS):
        return False
    header = _header(data)
    keys = {_key(h) for h in header}
    if "sharecommentary" in keys:  # LinkedIn's own export
        return True
    cols = _columns(header)
    named_like_posts = bool(re.search(r"linkedin|shares?\b|posts?\b", stem))
    return named_like_posts and "text" in cols and "date" in cols


def clean_commentary(value: str) -> str:
    """The post text, with LinkedIn's extra quoting undone (quoted lines, doubled quotes)."""
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
        text = text[1:-1].replace('"\n"', "\n").replace('""', '"')
    return text.strip()


def read_posts(data: bytes) -> list[Post]:
    """The posts of a posts CSV, oldest first; rows without text (plain reposts) are left out."""
    rows = _rows(data)
    if not rows:
        return []
    cols = _columns(rows[0])
    if "text" not in cols:
        return []
    posts = []
    for row in rows[1:]:
        def cell(role: str) -> str:
            i = cols.get(role)
            return row[i] if i is not None and i < len(row) else ""

        text = clean_commentary(cell("text"))
        if not text:
            continue
        posts.append(Post(parse_date(cell("date")), text, cell("link").strip(), cell("shared").strip()))
    return sorted(posts, key=lambda p: (p.date is None, p.date or datetime.min.replace(tzinfo=timezone.utc)))


def post_document(post: Post) -> bytes:
    """The stored original of one post: a header with its date and link, then the text."""
    when = post.date.strftime("%Y-%m-%d %H:%M:%S") + " UTC" if post.date else "date unknown"
    header = [HEADER_PREFIX + when]
    if post.link:
        header.append(f"Link: {post.link}")
    if post.shared_url:
        header.append(f"Shared link: {post.shared_url}")
    return ("\n".join(header) + "\n\n" + post.text.strip() + "\n").encode("utf-8")


_HEADER = re.compile(
    r"^LinkedIn post · (?:(?P<date>\d{4}-\d{2}-\d{2})(?: (?P<time>\d{2}:\d{2}(?::\d{2})?))? UTC|date unknown)[ \t]*\n"
    r"(?:Link: (?P<link>\S*)[ \t]*\n)?(?:Shared link: (?P<shared>\S*)[ \t]*\n)?\n?"
)


def split_post(text: str) -> tuple[Post | None, str]:
    """(the post's date and link, its body) for a stored post; (None, text) for anything else."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    m = _HEADER.match(text)
    if not m:
        return None, text
    date = None
    if m.group("date"):
        date = parse_date(f"{m.group('date')} {m.group('time') or '00:00'}")
    body = text[m.end():].strip()
    return Post(date, body, m.group("link") or "", m.group("shared") or ""), body


def _title(text: str, words: int = 7) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "post")
    first = re.sub(r"[\\/:*?\"<>|#\x00-\x1f]+", " ", first)
    cut = " ".join(first.split()[:words]).strip(" .,-")
    return cut[:60].strip() or "post"


def post_name(display: str, post: Post) -> str:
    """``Shares.csv/2024-03-05 Onboarding used to take six weeks.txt``."""
    day = post.date.strftime("%Y-%m-%d") if post.date else "undated"
    return f"{display}/{day} {_title(post.text)}.txt"


def post_sources(display: str, data: bytes) -> Iterator[tuple[str, bytes | GroundedError]]:
    """(name, stored original) for every post of a posts CSV, like the members of a ZIP."""
    posts = read_posts(data)
    if not posts:
        yield display, EmptyDocument("This LinkedIn export has no posts with text in it.")
        return
    seen: dict[str, int] = {}
    for post in posts:
        name = post_name(display, post)
        if name in seen:  # two posts on one day that start alike: add the time, then a number
            seen[name] += 1
            stem = name[: -len(".txt")]
            when = post.date.strftime("%H%M") if post.date else ""
            name = f"{stem} {when} ({seen[name]}).txt".replace("  ", " ")
        else:
            seen[name] = 1
        yield name, post_document(post)



# Files of LinkedIn's "Get a copy of your data" archive (names compared in lower case).
EXPORT_FILES = frozenset({
    "shares.csv", "connections.csv", "profile.csv", "profile summary.csv", "messages.csv", "invitations.csv",
    "reactions.csv", "comments.csv", "registration.csv", "email addresses.csv", "phonenumbers.csv",
    "whatsapp phone numbers.csv", "positions.csv", "education.csv", "skills.csv", "languages.csv",
    "certifications.csv", "projects.csv", "honors.csv", "publications.csv", "courses.csv", "ad_targeting.csv",
    "rich_media.csv", "inferences_about_you.csv", "learning.csv", "logins.csv", "searchqueries.csv",
    "company follows.csv", "member_follows.csv", "hashtag_follows.csv", "recommendations_received.csv",
    "recommendations_given.csv", "endorsement_received_info.csv", "endorsement_given_info.csv", "events.csv",
    "receipts.csv", "receipts_v2.csv", "guide_messages.csv", "learning_coach_messages.csv", "instantreposts.csv",
    "savedjobalerts.csv", "job applications.csv", "job seeker preferences.csv", "causes you care about.csv",
})
PRIVATE_REASON = (
    "This part of your LinkedIn data export isn't one of your posts or articles (it holds messages, contacts, "
    "profile or account data), so it isn't indexed: private data stays out of answers."
)


def private_export_members(names: list[str]) -> frozenset[str]:
    """The members of a ZIP to leave out because it is a LinkedIn data export: all but posts and articles.

    LinkedIn's full archive mixes what a marketer wants as style examples
    (``Shares.csv``: one's posts; ``Articles/``: one's articles) with private
    data (messages, connections, e-mail addresses, logins). A ZIP is taken for
    such an archive when it holds two or more of its known file names, or its
    name says so (``Basic_LinkedInDataExport_...``). Other ZIPs: nothing left out.
    """
    known = [n for n in names if PurePosixPath(n).name.lower() in EXPORT_FILES]
    named = any("linkedindataexport" in n.lower().replace("_", "").replace(" ", "") for n in names)
    if len(known) < 2 and not named:
        return frozenset()
    return frozenset(
        n for n in names
        if PurePosixPath(n).name.lower() != "shares.csv" and "articles" not in (p.lower() for p in PurePosixPath(n).parts[:-1])
    )
