"""Words as search and checks see them: lowercase word tokens, stop words out, Snowball stems.

One analyser for the BM25 index, the citation check and highlighting, so a
word that matches in one matches in all. English by default; a document in
another language (:func:`detect_language`) is analysed with that language's
stop words and Snowball stemmer, and a question with those of every language
its assistant's documents are in (:func:`analyse_for`), so "Verträge" finds
"Vertrag" and "die" is no search term in German.
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

# Languages by ISO 639-1 code (as langdetect names them) and their Snowball stemmer.
SNOWBALL = {
    "en": "english", "de": "german", "fr": "french", "es": "spanish", "nl": "dutch", "it": "italian",
    "pt": "portuguese", "sv": "swedish", "da": "danish", "no": "norwegian", "fi": "finnish", "ro": "romanian",
    "hu": "hungarian", "tr": "turkish", "ru": "russian", "ca": "catalan", "cs": "czech", "pl": "polish",
    "el": "greek", "lt": "lithuanian", "id": "indonesian", "ga": "irish", "et": "estonian", "ar": "arabic",
}
ENGLISH = "en"

# Function words per language (articles, pronouns, prepositions, conjunctions, auxiliaries), after
# Snowball's own stop lists, shortened to the words that carry no subject. Languages without a list
# here are stemmed with nothing dropped.
_OTHER_STOP_WORDS = {
    "de": """aber alle allem allen aller alles als also am an ander andere anderen auch auf aus bei bin bis bist
        da damit dann das dass dein deine dem den der des dessen dich die dies diese dieser dieses dir doch dort du
        durch ein eine einem einen einer eines er es etwas euch euer für gegen hab habe haben hat hatte hatten hier
        hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer im in ist ja jede jedem jeden jeder jedes jener
        jetzt kann kein keine können könnte man manche mein meine mich mir mit muss musste nach nicht nichts noch
        nun nur ob oder ohne sehr sein seine seinem seinen seiner sich sie sind so solche soll sollte sondern sonst
        um und uns unser unter viel vom von vor war waren warum was weil welche welchem welchen welcher welches
        wenn wer werde werden wie wieder will wir wird wo wollen würde zu zum zur zwar zwischen""",
    "fr": """a ai au aux avec avez avons c ce ceci cela ces cet cette d dans de des du elle elles en est et été
        être eu fait il ils j je l la le les leur leurs lui m ma mais me même mes moi mon n ne nos notre nous on
        ont ou où par pas pour qu que quel quelle quelles quels qui s sa sans se ses si son sont sur t ta te tes
        toi ton tu un une vos votre vous y était étaient sera seront comment combien quand pourquoi""",
    "es": """a al algo algunas algunos ante antes como con contra cual cuando de del desde donde durante e el él
        ella ellas ellos en entre era eran es esa esas ese eso esos esta estaba estado están estar este esto estos
        fue fueron ha han hasta hay la las le les lo los más me mi mis mucho muy nada ni no nos nosotros o os otra
        otras otro otros para pero poco por porque que qué quien quién se sea ser si sí sin sobre son su sus
        también tanto te tiene tienen todo todos tu tus un una uno unos y ya yo cómo cuánto cuántos cuándo""",
    "nl": """aan al alles als altijd andere ben bij daar dan dat de der deze die dit doch doen door dus een
        eens en er ge geen geweest haar had heb hebben heeft hem het hier hij hoe hun iemand iets ik in is ja je
        kan kon kunnen maar me meer men met mij mijn moet na naar niet niets nog nu of om omdat ons ook op over
        reeds te tegen toch toen tot u uit uw van veel voor want waren was wat we wel werd wezen wie wij wil
        worden wordt zal ze zelf zich zij zijn zo zonder zou""",
    "it": """a ad al alla alle allo ai agli che chi ci come con cui da dal dalla dalle degli dei del della delle
        dello di e è ed essere gli ha hanno ho i il in io la le lei lo loro lui ma mi mio ne nei nel nella nelle
        noi non o per perché più quale quando quanto questa queste questi questo se si sono su sua sue suo suoi
        tra tu un una uno vi voi""",
    "pt": """a ao aos as até com como da das de dela dele deles do dos e é ela elas ele eles em entre era essa
        esse esta este eu foi foram há isso isto já mais mas me mesmo meu minha muito na nas nem no nos nós o os
        ou para pela pelo por qual quando que quem se sem ser seu seus sua suas também te tem tu um uma você""",
}
_STOP = {ENGLISH: STOP_WORDS, **{lang: frozenset(words.split()) for lang, words in _OTHER_STOP_WORDS.items()}}


def stop_words(language: str = ENGLISH) -> frozenset[str]:
    """The stop words of ``language`` (an ISO 639-1 code); empty for a language without a list."""
    return _STOP.get(language, frozenset())


# A Snowball stemmer keeps the word it is working on inside itself: shared by the app's sessions
# (each a thread), two questions stemmed at once corrupted each other (a wrong stem, or an
# IndexError that failed the question; seen with 5 questions at once, README Running it for a team).
# So each thread has its own.
_local = threading.local()


@lru_cache(maxsize=200_000)
def _stem(word: str, language: str = ENGLISH) -> str:
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    stemmer = stemmers.get(language)
    if stemmer is None:
        algorithm = SNOWBALL.get(language)
        if algorithm is None:
            return word
        stemmer = stemmers[language] = snowballstemmer.stemmer(algorithm)
    return stemmer.stemWord(word)


def analyse(text: str, language: str = ENGLISH) -> list[str]:
    """Lowercased, stop-word-free, stemmed terms of ``text`` (in ``language``, an ISO 639-1 code)."""
    stop = _STOP.get(language, frozenset())
    return [_stem(w, language) for w in _TOKEN.findall(text.lower()) if w not in stop and len(w) < 40]


def analyse_for(text: str, languages) -> list[str]:
    """The distinct terms of ``text`` as each of ``languages`` analyses it (a question to an assistant whose
    documents are in these languages); English alone when none is given."""
    terms: dict[str, None] = {}
    for language in languages or (ENGLISH,):
        terms.update(dict.fromkeys(analyse(text, language)))
    return list(terms)


_GUESS_ORDER = ("en", "de", "fr", "es", "nl", "it", "pt")


def guess_language(text: str) -> str:
    """The language of a short text (a question) by its function words: the language whose stop words it uses
    most, English on a tie or when it uses none. langdetect's letter n-grams need longer texts."""
    tokens = _TOKEN.findall(text.lower())
    hits = {lang: sum(t in _STOP[lang] for t in tokens) for lang in _GUESS_ORDER}
    best = max(_GUESS_ORDER, key=lambda lang: hits[lang])  # max keeps the first of equals: English first
    return best if hits[best] > hits[ENGLISH] else ENGLISH


DETECT_CHARS = 4000  # a document's language is read from this much of its text
DETECT_MIN_LETTERS = 80  # less text than this is told by its function words (guess_language)
DETECT_CONFIDENCE = 0.9  # langdetect's probability below which a text is taken as English
_detect_lock = threading.Lock()


def detect_language(text: str) -> str:
    """The language of a document's text (ISO 639-1), English when unsure.

    langdetect reads letter n-grams; on a few words it guesses wildly ("How long does
    onboarding take?" came out Afrikaans), so a short text is told by its function words
    (:func:`guess_language`), as is one langdetect is unsure of; with neither, English,
    which is what every document was analysed as before languages were told apart.
    """
    sample = text[:DETECT_CHARS]
    if sum(ch.isalpha() for ch in sample) < DETECT_MIN_LETTERS:
        return guess_language(sample)
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    with _detect_lock:  # the first call loads the language profiles into a shared factory
        DetectorFactory.seed = 0  # the same text always gets the same answer
        try:
            best = detect_langs(sample)[0]
        except LangDetectException:
            return ENGLISH
    code = best.lang.split("-")[0]
    return code if best.prob >= DETECT_CONFIDENCE else guess_language(sample)
