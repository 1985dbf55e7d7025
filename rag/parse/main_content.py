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

# The same widgets as help centers and blogs write them (Zendesk, Intercom, Help Scout, Freshdesk, WordPress),
# in the languages they ship: a block, or a heading with everything under it, that is one of these is furniture.
FURNITURE_PHRASES = re.compile(
    r"^[\W_]*("
    # related and popular articles, in English and as translated by the help-center products
    r"related (articles|posts|content|topics|guides|questions)|see also|you (may|might) also (like|be interested in)|"
    r"read (next|more articles)|more (articles|from this (section|collection|category))|recent (articles|posts)|"
    r"top articles|most (read|popular|viewed)|"
    r"art[ií]culos (relacionados|populares|recientes|similares)|art[ií]culos en esta secci[oó]n|"
    r"articles (connexes|similaires|li[eé]s|populaires|r[eé]cents|associ[eé]s)|articles dans cette section|"
    r"(ä|ae)hnliche artikel|verwandte artikel|beliebte artikel|zuletzt angesehene artikel|artikel in diesem abschnitt|"
    r"articoli (correlati|popolari|simili|recenti)|artigos (relacionados|populares|recentes|semelhantes)|"
    r"gerelateerde artikelen|populaire artikelen|relaterade artiklar|relaterte artikler|relaterede artikler|"
    # was this helpful?
    r"(was|did) (this|the) (article|page|answer|information|post|content)? ?(helpful|useful|answer your question|help)|"
    r"did you find (it|this|this article) (helpful|useful)|is this (article|page) helpful|how (helpful|useful) was this|"
    r"\d+ (of|out of) \d+ (people )?found this (article )?helpful|"
    r"¿?(te|le) (ha resultado|result[oó]|fue|ha sido) [uú]til( (este|esta) (art[ií]culo|p[aá]gina|respuesta))?|¿?(fue|es|ha sido) [uú]til (este|esta) (art[ií]culo|p[aá]gina|respuesta)|"
    r"(cet|cette) (article|page|r[eé]ponse) (vous )?(a-t-il|a-t-elle|vous a-t-il|vous a-t-elle) (été|ete) utile|"
    r"(avez-vous|as-tu) trouv[eé] (cet article|cette page) utile|"
    r"war (dieser|dieses|diese) (artikel|beitrag|seite|antwort) hilfreich|war das hilfreich|"
    r"(questo|questa) (articolo|pagina|risposta) (ti |le )?(è|e) stat[oa] utile|"
    r"(este|esta) (artigo|p[aá]gina|resposta) (foi|[eé]) [uú]til|isso foi [uú]til|"
    r"(was|is) (dit|deze) (artikel|pagina) (nuttig|behulpzaam)|vond je dit (artikel )?nuttig|"
    # still stuck?
    r"still (need help|stuck|have questions)|need more help|can'?t find what you'?re looking for|"
    r"¿necesitas m[aá]s ayuda|besoin d'aide|vous avez besoin d'aide|brauchen sie (weitere|mehr) hilfe|"
    # blog widgets (WordPress and the like)
    r"share (this|this post|this article|on)|like this|leave a (reply|comment)|\d+ comments?|"
    r"posted in|filed under|previous (post|article)|next (post|article)|table of contents|on this page|"
    r"in this article"
    r")[\W_]*$",
    re.IGNORECASE,
)
FURNITURE_HEADING_MAX_WORDS = 10


def is_furniture(text: str) -> bool:
    """A short block that is a site widget: "Was this article helpful?", a cookie banner, a copyright line."""
    flat = " ".join(text.split())
    return len(flat.split()) <= FURNITURE_MAX_WORDS and bool(FURNITURE.match(flat) or FURNITURE_PHRASES.match(flat))


def is_furniture_heading(text: str) -> bool:
    """A heading over site furniture ("Related articles", "Artículos relacionados", "Was this helpful?"):
    everything under it is furniture too."""
    flat = " ".join(text.split())
    return 0 < len(flat.split()) <= FURNITURE_HEADING_MAX_WORDS and bool(FURNITURE.match(flat) or FURNITURE_PHRASES.match(flat))


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
    """The page's main content, or None when the extractor finds none (then the whole page is read).

    A missing module (trafilatura, or lxml_html_clean that jusText imports through lxml.html.clean)
    is an install problem, raised as :class:`~rag.errors.SetupProblem`, never read past silently.
    """
    # It warns about ordinary pages ("discarding data: None"); the fallback below covers them.
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    try:
        import trafilatura

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
    except ImportError as err:
        from ..errors import SetupProblem
        from .setup import missing_module_message

        raise SetupProblem(missing_module_message("HTML pages", err)) from err
    except Exception:  # noqa: BLE001 - the extractor is a refinement: without it the whole page is read
        logger.warning("main-content extraction failed; reading the whole page", exc_info=True)
        return None
    if not text or not words(text):
        return None
    return MainContent(text)
