"""A web page's main content, told apart from its furniture by trafilatura.

Help-center exports and saved pages carry navigation, breadcrumbs, search
boxes, "Was this article helpful?", related links, cookie banners, headers
and footers around the article. Indexed, that furniture turns up in answers
("© 2025 Example B.V. · Privacy · Terms") and dilutes every chunk.

trafilatura (a maintained main-content extractor; its rules cover the usual
class and id names, link density and text density, with readability and
jusText as fallbacks) decides which text is content. It flattens structure,
so its text is used only as a verdict: our own element walk still reads the
page (headings, lists, tables) and keeps a block when trafilatura kept it.

Measured (tests' help-center fixtures; the 14 shared unstructured example
pages): trafilatura left no furniture on either fixture and kept 94.5% of
the shared pages' words (a 10-K keeps 94%: only its link-list exhibit index
goes); readability-lxml left 6 and 2 furniture blocks in the fixtures
("Was this article helpful?", "Follow", the byline) and kept 7% of a data
sheet. It about doubles the time of a page (the 2.4 MB 10-K: 0.85 s to 1.6 s).
"""

from __future__ import annotations

import logging
import re

WORD = re.compile(r"\w+")
SHORT_WORDS = 4  # shorter blocks are matched whole; longer ones by their runs of three words
COVERED = 0.7  # a long block is content when this share of its three-word runs is in the main text
ROWS_FOUND = 0.5  # a table is content when at least this share of its rows is

logger = logging.getLogger(__name__)

# Widgets every help center and site repeats, kept by the extractor on short pages (it favours recall):
# a short block that is one of these is never content, whatever the extractor says.
FURNITURE = re.compile(
    r"^(was this (article|page|answer|information|helpful)\b.*|.*\b\d+ out of \d+ found this helpful.*|"
    r"(have more|still have|got more) questions\b.*|still need help\b.*|submit a request|"
    r"(related|recently viewed|popular|promoted) articles|articles in this section|"
    r"(skip to (main )?content|back to top|print this (page|article)|share this (page|article))|"
    r"(©|\(c\)|copyright)\s*\d{4}.*|.*\ball rights reserved\b.*|"
    r".*\bcookies?\b.*\b(accept|settings|consent|preferences|policy)\b.*)$",
    re.IGNORECASE,
)
FURNITURE_MAX_WORDS = 30


def is_furniture(text: str) -> bool:
    """A short block that is a site widget: "Was this article helpful?", a cookie banner, a copyright line."""
    flat = " ".join(text.split())
    return len(flat.split()) <= FURNITURE_MAX_WORDS and bool(FURNITURE.match(flat))


def words(text: str) -> str:
    """The text as lowercase words joined by single spaces: markup, punctuation and layout left out."""
    return " ".join(WORD.findall(text.lower()))


def _trigrams(tokens: list[str]) -> set[tuple[str, str, str]]:
    return set(zip(tokens, tokens[1:], tokens[2:]))


class MainContent:
    """The main text of a page, answering "is this block part of it?".

    Matching is by words, not characters, and tolerant: extractors join
    inline pieces and drop odd spans (XBRL tags in filings) a little
    differently from our walk, so a long block counts when most of its
    three-word runs are in the main text.
    """

    def __init__(self, text: str):
        self._lines = {w for line in text.splitlines() if (w := words(line))}
        self._text = " " + " ".join(words(line) for line in text.splitlines()) + " "
        self._trigrams = _trigrams(self._text.split())

    def keeps(self, text: str, linked: bool = False) -> bool:
        """Is this block content? A short one ("Yes", "Privacy", "Basis for Opinion") must be a line of the
        main text, or appear in it and not be a link: short links are what menus, breadcrumbs and footers are made of."""
        tokens = words(text).split()
        if not tokens or is_furniture(text):
            return False
        joined = " ".join(tokens)
        if joined in self._lines:
            return True
        if len(tokens) < SHORT_WORDS:
            return not linked and f" {joined} " in self._text
        grams = _trigrams(tokens)
        return sum(g in self._trigrams for g in grams) >= COVERED * len(grams)

    def keeps_table(self, rows: list[list[str]]) -> bool:
        found = [self.keeps(" ".join(row)) for row in rows if any(cell.strip() for cell in row)]
        return bool(found) and sum(found) >= ROWS_FOUND * len(found)


def find_main_content(html: str) -> MainContent | None:
    """The page's main content, or None when the extractor finds none (then the whole page is read)."""
    import trafilatura

    # It warns about ordinary pages ("discarding data: None"); the fallback below covers them.
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    try:
        text = trafilatura.extract(
            html,
            output_format="txt",
            include_tables=True,
            include_comments=False,
            include_images=False,
            include_links=False,
            favor_recall=True,  # of two mistakes, keeping a footer line beats losing a paragraph
            deduplicate=False,
            with_metadata=False,
        )
    except Exception:  # noqa: BLE001 - the extractor is a refinement: without it the whole page is read
        logger.warning("main-content extraction failed; reading the whole page", exc_info=True)
        return None
    if not text or not words(text):
        return None
    return MainContent(text)
