"""Words as search and checks see them: lowercase word tokens, stop words out, Snowball stems.

One analyser for the BM25 index, the citation check and highlighting, so a
word that matches in one matches in all.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import snowballstemmer

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)

# A compact English stop-word list (Lucene's plus common function words).
STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over
    own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself yourselves""".split()
)

# A Snowball stemmer keeps the word it is working on inside itself: shared by the app's sessions
# (each a thread), two questions stemmed at once corrupted each other (a wrong stem, or an
# IndexError that failed the question; seen with 5 questions at once, README Running it for a team).
# So each thread has its own.
_local = threading.local()


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return stemmer.stemWord(word)


def analyse(text: str) -> list[str]:
    """Lowercased, stop-word-free, stemmed terms of ``text``."""
    return [_stem(w) for w in _TOKEN.findall(text.lower()) if w not in STOP_WORDS and len(w) < 40]


