"""What a question asks for, and whether a text states it.

A marketer's questions mostly want one kind of thing: a figure ("How much
does the Team plan cost?", "How much faster ...?"), a person or a quote
("Who did we quote ...?", "What did Jane Doe say ...?"), a date, steps
("How do I connect ...?"), a yes or no, or a description. Knowing which
lets quoting prefer the sentence, row or list that carries it, and lets the
answer say plainly when the closest passages don't ("none of them states the
Team plan's price") instead of labelling on-topic quotes as an answer.

Rules, not a model: every one is a word pattern that a test pins down.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import regex

from ..names import mentions_name, question_terms
from ..words import ENGLISH, analyse, guess_language
from .domain import is_common

Kind = Literal["figure", "person", "quote", "date", "steps", "yes_no", "description", "list", "comparison", "summary"]
Direction = Literal["after", "before", "change", None]

_STEPS = re.compile(
    r"^\s*(how\s+(do|can|should|would)\s+(i|we|you|one)\b|how\s+to\b|what\s+are\s+the\s+steps\b|steps\s+to\b|"
    r"(walk|take)\s+me\s+through\b|what\s+do\s+i\s+(need\s+to\s+)?do\s+to\b|guide\s+me\b)", re.I)
_FIGURE = re.compile(
    r"\b(how\s+(much|many|long|fast|quickly|big|large|often|far)|how\s+much\s+(faster|slower|more|less|cheaper)|"
    r"price|prices|pricing|cost|costs|costing|fee|fees|charge|charges|rate|rates|percent|percentage|%|discounts?|"
    r"number\s+of|revenue|revenues|sales|income|profit|earnings|expenses?|spend\w*|cash|growth|roi|savings?|saved|"
    r"bills?|budgets?|turnover|payback|salar(y|ies)|wages?|"
    r"reduc\w*|increase\w*|decrease\w*|margin|share|per\s+(month|year|user|seat)|"
    r"by\s+how\s+much|what\s+was\s+the\s+\w+\s+(rate|time|score|figure|number))\b", re.I)
_PERSON = re.compile(r"^\s*(who|whom|whose)\b|\bwhich\s+(person|people|customer|contact|executive)\b|\bwho\s+(did|do|was|is)\b", re.I)
_QUOTE = re.compile(r"\b(quote[ds]?|say|said|says|testimonial|in\s+(her|his|their)\s+words)\b", re.I)
# "What time does registration open?" asks for a time of day; "What time savings ...?" for a figure
_CLOCK_ASKED = re.compile(r"\b(what|which)\s+time\s+(does|do|did|is|are|was|were|will|should|can|must)\b", re.I)
_DATE = re.compile(r"^\s*when\b|\bwhat\s+(year|date|day|month|quarter)\b|\bsince\s+when\b|\bhow\s+long\s+ago\b|"
                   + _CLOCK_ASKED.pattern, re.I)
CLOCK = re.compile(r"\b\d{1,2}[:.]\d{2}\b(?!\s?%)|\b\d{1,2}\s?(am|pm|a\.m\.|p\.m\.)", re.I)
_SUMMARY = re.compile(
    r"\b(summari[sz]e|summary|sum\s+up|overview|recap|tl;?\s?dr|key\s+(points|takeaways|facts|highlights)|"
    r"highlights\s+of|in\s+(a\s+few|two|three|four|five|[2-5])\s+(bullet\s+)?(points|bullets|sentences|lines))\b|"
    r"^\s*what\s+(is|was)\s+(the|our)\s+.{2,60}\s+about\s*\??\s*$", re.I)
# "Which certifications do you hold?", "What integrations are there?", "List the payroll systems ...": several items
_LIST = re.compile(
    r"^\s*(which|what)\s+(?:kinds?\s+of\s+)?(?:(?!(?:do|does|did|are|is|was|were|can|will|have|has)\b)[\w&'-]+\s+){0,3}?"
    r"[\w-]*[a-rt-z]s\s+(do|does|did|are|were|can|could|will|"
    r"have|has|is|work|works|come|comes|include|includes|offer|support|cover|need|integrate)\b|^\s*(list|name|enumerate)\s+(all\s+|every\s+|the\s+|your\s+|our\s+)|"
    r"^\s*what\s+are\s+(?:the|your|our|its|their)\s+(?:main\s+|key\s+)?(?:[\w-]+\s+){0,1}?[\w-]*[a-rt-z]s\b(?!\s+(?:of\s+)?(?:the\s+)?steps)|"
    r"\b(which|what)\s+(?:other\s+)?(tools|apps|integrations|languages|countries|markets|channels|certifications|"
    r"standards|features|benefits|options|systems|platforms|payment\s+methods|add-?ons)\b|"
    # "What's new in 26.3?", "What's shipping in the release?", "What does Nachtlevering include?": what a thing holds
    r"^\s*what(?:'s|’s|\s+is|\s+are)\s+(?:(?:new|shipping|included|coming)\s+(?:in|with)|in\s+(?:the|our|your|a|an|this|each))\s+\S|"
    r"^\s*what\s+(?:does|do|will)\s+(?:the\s+)?[\w&'’. -]{2,40}?\s+(?:include|contain|bring|ship\s+with)\s*\??\s*$", re.I)
_COMPARE = re.compile(r"\b(difference|differences|differ|compare[sd]?|comparison|versus|vs\.?|both)\b", re.I)
_YES_NO = re.compile(r"^\s*(is|are|was|were|does|do|did|can|could|will|would|has|have|had|should)\b", re.I)
_AFTER = re.compile(r"\b(after|now|today|currently|current|reduced\s+to|cut\s+to|down\s+to|went\s+to|fell\s+to|result(ing)?|"
                    r"post[- ]launch|since\s+(adopting|using|switching))\b", re.I)
_BEFORE = re.compile(r"\b(before|previously|used\s+to|originally|at\s+the\s+start|baseline|prior\s+to)\b", re.I)
_BOTH_SIDES = re.compile(r"\bbefore\b.*\bafter\b|\bafter\b.*\bbefore\b|\bfrom\s+and\s+to\b|\bthen\s+and\s+now\b", re.I)
_ONE_SIDE = re.compile(r"^\s*what\s+(?:was|were|is|are)\s+(?:the\s+|their\s+|its\s+|our\s+)?(?:[\w'’-]+\s+){1,6}?"
                       r"(?:before|after|since|now|today|previously|originally)\b", re.I)
_CHANGE = re.compile(r"\b(how\s+much\s+(faster|slower|more|less|cheaper|better)|improve\w*|by\s+how\s+much|change[ds]?|difference)\b", re.I)

_GENERIC = {"product", "company", "team", "customer", "customers", "document", "documents", "plan", "thing", "case",
            "study", "get", "got", "make", "made", "use", "used", "using", "take", "took", "much", "many", "long"}
_GENERIC_TERMS = {t for word in _GENERIC for t in analyse(word)}
# words that say which figure is asked for, not what it is about ("the discount" for "nonprofits")
_MEASURES = {t for word in ("price", "prices", "pricing", "cost", "costs", "fee", "charge", "rate", "percent", "percentage",
                            "number", "count", "counts", "discount", "save", "saving", "savings", "faster", "slower", "quickly", "fast",
                            "time", "long", "much", "many", "often", "big", "large", "month", "year", "per", "now",
                            "today", "after", "before", "get", "say", "said", "quote", "steps", "step", "when", "date",
                            "happen", "last", "take", "takes", "include", "includes", "offer", "offers", "have", "has",
                            "use", "uses", "work", "works", "hold", "available", "difference", "differ", "compare",
                            "what's", "there", "come", "comes", "get", "gets", "give", "gives", "need", "needs",
                            "mean", "means", "do", "does", "tell", "us", "our", "your") for t in analyse(word)}


# The same kinds asked in other languages: (kind, pattern) in the order the English rules are tried. A question in
# a language without rules here is a description (its answer is judged on its subject words and names alone).
_OTHER_KINDS: dict[str, list[tuple[Kind, re.Pattern]]] = {
    "de": [
        ("summary", re.compile(r"\b(zusammenfass\w*|fasse\b.*\bzusammen|überblick|kernpunkte|das\s+wichtigste)\b", re.I)),
        ("steps", re.compile(r"^\s*wie\s+(kann|muss|soll|könnte|können)\s+(ich|man|wir)\b|\bschritte\b|\banleitung\b", re.I)),
        ("quote", re.compile(r"^\s*was\s+(hat|sagte|sagt)\b.*\b(gesagt|sagte|sagt)\b|\bzitat\w*\b", re.I)),
        ("person", re.compile(r"^\s*(wer|wen|wem|wessen)\b|\bwelche[rnms]?\s+(person|kunde|kundin|ansprechpartner\w*)\b", re.I)),
        ("date", re.compile(r"^\s*wann\b|\b(welche[mn]?|in\s+welchem)\s+(jahr|datum|tag|monat|quartal)\b|\bseit\s+wann\b", re.I)),
        ("list", re.compile(r"^\s*welche\s+\w+\s+(gibt|unterstützt|bietet|hat|haben|sind)\b|^\s*(nenne|liste)\b", re.I)),
        ("figure", re.compile(r"\bwie\s+(viel|viele|lange|hoch|schnell|oft|groß|teuer|stark|weit)\b|\bum\s+wie\s+viel\b|"
                              r"\b(preis\w*|kostet|kosten|gebühr\w*|prozent\w*|anzahl|umsatz|rabatt\w*|ersparnis\w*)\b", re.I)),
        ("yes_no", re.compile(r"^\s*(ist|sind|war|waren|gibt|hat|haben|kann|können|muss|darf|wird|werden|unterstützt|bietet)\b", re.I)),
    ],
    "fr": [
        ("summary", re.compile(r"\b(résum\w*|synthèse|vue\s+d'ensemble|points\s+clés)\b", re.I)),
        ("steps", re.compile(r"^\s*comment\s+(puis-je|peut-on|dois-je|faire|faut-il|je|on)\b|\bétapes\b", re.I)),
        ("quote", re.compile(r"^\s*qu'a\s+dit\b|\bcitation\w*\b", re.I)),
        ("person", re.compile(r"^\s*(qui|à\s+qui)\b|\bquel(le)?\s+(personne|client|cliente|contact)\b", re.I)),
        ("date", re.compile(r"^\s*quand\b|\b(quelle|en\s+quelle)\s+(année|date)\b|\bdepuis\s+quand\b|"
                            r"\bquel\s+(jour|mois|trimestre)\b", re.I)),
        ("list", re.compile(r"^\s*quel(le)?s\s+\w+\s+(sont|propose|proposez|offre|offrez|prend|prenez|comprend)\b|"
                            r"^\s*(énumérez|listez)\b", re.I)),
        ("figure", re.compile(r"\bcombien\b|\b(prix|co[uû]te?n?t?s?|tarifs?|frais|pour\s*cent|pourcentage|remise|"
                              r"chiffre\s+d'affaires|économi\w*)\b|\bà\s+quelle\s+vitesse\b|"
                              r"\bquel(le)?\s+(est\s+)?(le\s+|la\s+)?(durée|délai|montant|taux)\b", re.I)),
        ("yes_no", re.compile(r"^\s*(est-ce\s+qu|peut-on|puis-je|y\s+a-t-il|avez-vous|a-t-on)|^\s*\w+-(t-)?(il|elle|on|vous|ils|elles)\b", re.I)),
    ],
    "es": [
        ("summary", re.compile(r"\b(resum\w*|sinopsis|puntos\s+clave)\b", re.I)),
        ("steps", re.compile(r"^\W*c[oó]mo\s+(puedo|se\s+puede|debo|hago|configuro|conecto|activo|creo)\b|\bpasos\b", re.I)),
        ("quote", re.compile(r"^\W*qu[eé]\s+dijo\b|\bcita\w*\b", re.I)),
        ("person", re.compile(r"^\W*(qui[eé]n(es)?|a\s+qui[eé]n)\b", re.I)),
        ("date", re.compile(r"^\W*cu[aá]ndo\b|\b(qu[eé]|en\s+qu[eé])\s+(año|fecha|día|mes|trimestre)\b|\bdesde\s+cu[aá]ndo\b", re.I)),
        ("list", re.compile(r"^\W*qu[eé]\s+\w+s\s+(hay|ofrece|ofrecen|tiene|tienen|admite|incluye)\b", re.I)),
        ("figure", re.compile(r"\bcu[aá]nt[oa]s?\b|\b(precios?|cuesta\w*|costo\w*|coste\w*|tarifas?|porcentaje|por\s+ciento|"
                              r"descuentos?|ingresos|ahorr\w*)\b", re.I)),
        ("yes_no", re.compile(r"^\W*(es|son|está|están|hay|tiene|tienen|puedo|puede|pueden|ofrece|admite)\b", re.I)),
    ],
    "nl": [
        ("summary", re.compile(r"\b(samenvatting|vat\b.*\bsamen|overzicht|kernpunten)\b", re.I)),
        ("steps", re.compile(r"^\s*hoe\s+(kan|moet|kun)\s+(ik|je|we|u|men)\b|\bstappen\b", re.I)),
        ("quote", re.compile(r"^\s*wat\s+zei\b|\bcitaat\w*\b", re.I)),
        ("person", re.compile(r"^\s*(wie|wiens)\b", re.I)),
        ("date", re.compile(r"^\s*wanneer\b|\bin\s+welk\s+(jaar|kwartaal)\b|\bop\s+welke\s+datum\b|\bsinds\s+wanneer\b", re.I)),
        ("list", re.compile(r"^\s*welke\s+\w+\s+(zijn|biedt|bieden|heeft|hebben|ondersteunt)\b", re.I)),
        ("figure", re.compile(r"\bhoeveel\b|\bhoe\s+(lang|snel|vaak|groot|duur|hoog)\b|"
                              r"\b(prijs\w*|kost|kosten|tarie\w*|procent\w*|korting\w*|omzet|besparing\w*)\b", re.I)),
        ("yes_no", re.compile(r"^\s*(is|zijn|was|waren|heeft|hebben|kan|kunnen|biedt|ondersteunt)\b", re.I)),
    ],
}
# Words that say which figure (or kind of thing) is asked for, per language, as :data:`_MEASURES` in English.
_OTHER_MEASURE_WORDS = {
    "de": """wie viel viele lange lang hoch schnell oft groß teuer stark weit preis preise kosten kostet kostete gebühr
        gebühren prozent anzahl zahl dauert dauerte dauern zeit tag tage wochen monate jahre wann datum wer sagte sagt
        gibt hat haben bietet unterstützt braucht erhalten bekommen sank sinkt stieg steigt pro monat jahr nutzer""",
    "fr": """combien coûte coûtent coûtait coût coûts prix tarif tarifs frais pourcentage taux temps durée dure duré
        jours semaines mois ans années quand date qui dit a ont offre propose inclut comprend permet nombre par
        utilisateur utilisateurs""",
    "es": """cuánto cuánta cuántos cuántas cuesta cuestan costo coste precio precios tarifa porcentaje tiempo dura
        duración días semanas meses años cuándo fecha quién dijo tiene tienen ofrece incluye permite número por mes
        usuario usuarios""",
    "nl": """hoeveel hoe lang snel vaak duur kost kosten prijs tarief procent tijd duurt duurde dagen weken maanden jaren
        wanneer datum wie zei heeft hebben biedt ondersteunt aantal per maand gebruiker gebruikers""",
}
_OTHER_MEASURES = {lang: {t for word in words.split() for t in analyse(word, lang)}
                   for lang, words in _OTHER_MEASURE_WORDS.items()}


def _measures(language: str) -> set[str]:
    return _MEASURES if language == ENGLISH else _OTHER_MEASURES.get(language, set())


@dataclass(frozen=True)
class Asked:
    """What a question asks for: its kind, the names it is about, its other key terms, a before/after direction."""

    question: str
    kind: Kind
    names: tuple[str, ...]
    terms: tuple[str, ...]  # stemmed content words (names included), the ones a passage should share
    direction: Direction = None
    language: str = ENGLISH  # the question's language (rag.words.guess_language): its words are stemmed in it

    @property
    def wants_figure(self) -> bool:
        """A figure question, or a comparison of figures ("How many seats do the Team and Business plans have?")."""
        return self.kind == "figure" or self.kind == "comparison" and bool(_FIGURE.search(self.question))

    @property
    def pair(self) -> tuple[str, str] | None:
        """For a comparison: the two things compared."""
        return compared(self.question, self.names) if self.kind == "comparison" else None

    @property
    def wants_place(self) -> bool:
        """ "When and where is the Open Day?": the place as well as the date."""
        return bool(re.search(r"\bwhere\b", self.question, re.I))

    @property
    def wants_both_sides(self) -> bool:
        """ "... before and after Kelpie?": both figures, not one side."""
        return bool(_BOTH_SIDES.search(self.question))

    @property
    def wants_words(self) -> bool:
        """ "Which words should we avoid?": items that are words or phrases, which prose quotes ("never “pax”")."""
        return self.kind == "list" and bool(re.search(r"\b(words|terms|phrases|expressions|wording)\b", self.question, re.I))

    @property
    def wants_clock(self) -> bool:
        """ "What time does registration open?": a time of day ("8:30"), not the date."""
        return self.kind == "date" and bool(_CLOCK_ASKED.search(self.question))

    @property
    def wants_saving(self) -> bool:
        return bool(re.search(r"\b(save|saves|saving|savings|discounts?|off|cheaper|free)\b", self.question, re.I))

    @property
    def wants_money(self) -> bool:
        return not self.wants_saving and bool(re.search(
            r"\b(price|prices|pricing|cost|costs|fee|fees|charge|bills?|budgets?|how\s+much\s+(is|does|do|are))\b",
            self.question, re.I))

    @property
    def wants_rate(self) -> bool:
        return bool(re.search(r"\b(rate|percent|percentage|%|share|margin)\b", self.question, re.I))

    @property
    def wants_time(self) -> bool:
        # "changed over time", "at the same time" say when, not that a duration is asked for
        return bool(re.search(r"\bhow\s+(long|fast|quickly)\b|\b(faster|slower|days|weeks|hours|minutes)\b|"
                              r"(?<!\bover\s)(?<!\bsame\s)\btime\b", self.question, re.I))


def compared(question: str, names: tuple[str, ...]) -> tuple[str, str] | None:
    """The two things a comparison question sets side by side ("the Team and Business plans"), or None.

    A comparison names two things joined by "and", "or", "vs" or "versus" and asks for what tells
    them apart or for a value of each ("How many users do plans A and B include?"). Two names in a
    list of a single thing's parts ("Acme & Co") are one name.
    """
    pair = re.search(r"(?<![\w&'-])([A-Z][\w&'-]*(?:\s+[A-Z][\w&'-]*){0,3})(?:\s+[a-z][\w-]*){0,2}?\s*(?:,\s*)?"
                     r"(?:and|or|vs\.?|versus)\s+(?:the\s+)?"
                     r"([A-Z][\w&'-]*(?:\s+[A-Z][\w&'-]*){0,3})", question[1:])
    if not pair:
        return None
    first, second = pair.group(1), pair.group(2)
    if not any(n in first or n in second for n in names):  # "E-signature" is a product's name too, if not one we spot
        return None
    if _COMPARE.search(question) or _FIGURE.search(question) or re.search(r"^\s*(how|what|which)\b", question, re.I):
        return first, second
    return None


def classify(question: str) -> Asked:
    """What ``question`` asks for (see the module docstring)."""
    q = question.strip()
    names = tuple(question_terms(q))
    language = guess_language(q)
    if language != ENGLISH:
        return _classify_other(q, names, language)
    if _SUMMARY.search(q):
        kind: Kind = "summary"
    elif _STEPS.search(q) and not re.search(r"\bhow\s+to\s+(say|pronounce)\b", q, re.I):
        kind = "steps"
    elif compared(q, names):
        kind = "comparison"
    elif _PERSON.search(q):
        kind = "quote" if _QUOTE.search(q) else "person"
    elif re.search(r"\bwhat\s+did\s+.+\s+say\b|\bquote\b", q, re.I):
        kind = "quote"
    elif _DATE.search(q):
        kind = "date"
    elif _LIST.search(q) and not re.search(r"^\s*(which|what)\s+(?:[\w&'-]+\s+){0,3}?(is|was)\b"
                                           r"(?!\s+(new|shipping|included|coming)\s+(in|with)\b)", q, re.I):
        kind = "list"
    elif _FIGURE.search(q):
        kind = "figure"
    elif _YES_NO.search(q):
        kind = "yes_no"
    else:
        kind = "description"
    if kind == "description" and (_BOTH_SIDES.search(q) or _ONE_SIDE.search(q)):
        # "What were missed deliveries before and after X?", "What did the cost go from and to?", "What was the
        # linen loss before Tallowby?": a figure on one side of a change or both
        kind = "figure"
    direction: Direction = None
    if kind == "figure":
        if _CHANGE.search(q):
            direction = "change"
        elif _AFTER.search(q):
            direction = "after"
        elif _BEFORE.search(q):
            direction = "before"
    name_terms = [t for name in names for t in analyse(name)]
    terms = tuple(dict.fromkeys(name_terms + [t for t in analyse(q) if t not in _GENERIC_TERMS]))
    return Asked(q, kind, names, terms, direction)


def _classify_other(q: str, names: tuple[str, ...], language: str) -> Asked:
    """:func:`classify` for a question in another language than English (its rules in :data:`_OTHER_KINDS`)."""
    kind: Kind = next((k for k, pattern in _OTHER_KINDS.get(language, []) if pattern.search(q)), "description")
    name_terms = [t for name in names for t in analyse(name, language)]
    terms = tuple(dict.fromkeys(name_terms + analyse(q, language)))
    return Asked(q, kind, names, terms, None, language)


# what a text carries
_NUMBER = re.compile(r"\d")
_MONEY = re.compile(r"[$€£¥₹]\s?\d|\d\s?(usd|eur|gbp|chf|dollars?|euros?|pounds?)\b|"
                    r"\b(usd|eur|gbp|chf|aud|cad|sek|nok|dkk|jpy|inr)\s?\d", re.I)
_PERCENT = re.compile(r"\d\s?(%|percent\b|per\s?cent\b|pp\b|points?\b|prozent\b|pour\s?cent\b|por\s+ciento\b|procent\b)", re.I)
_DURATION = re.compile(r"\d[\d.,]*\s?(-\s?)?(seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|x\b|times\b)|"
                       r"\b(twice|half|faster|slower)\b|"
                       # German, French, Spanish, Dutch
                       r"\d[\d.,]*\s?(tage?n?|wochen?|monate?n?|jahre?n?|stunden?|minuten|sekunden|jours?|semaines?|mois|"
                       r"heures?|ans|années?|días?|semanas?|meses|horas?|minutos?|años?|dagen|weken|maanden|jaren|uur|uren)\b",
                       re.I)
_DATE_TEXT = re.compile(r"\b(19|20)\d{2}\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d|"
                        r"\bq[1-4]\b|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b(monday|tuesday|wednesday|thursday|friday)\b|"
                        r"\b(januar|februar|märz|mai|juni|juli|oktober|dezember|janvier|février|mars|avril|juin|juillet|août|"
                        r"septembre|octobre|novembre|décembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|"
                        r"octubre|noviembre|diciembre|januari|februari|maart|mei|augustus)\b", re.I)
_DATES_ONLY = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(st|nd|rd|th)?,?\s+"
                         r"(19|20)\d\d\b|\b\d{1,2}(st|nd|rd|th)?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)"
                         r"[a-z]*\.?,?\s+(19|20)\d\d\b|\bq[1-4]\s+(fy\s?)?(19|20)\d\d\b|\b(19|20)\d\d\s+q[1-4]\b|"
                         r"(?<![$€£\d.,])\b(19|20)\d\d\b(?![.,]\d|\s?(%|percent|million|billion|[kmb]\b))", re.I)
_QUOTED_TERM = re.compile(r"[“\"‘'][^“”\"‘’'\n]{2,30}[”\"’'](?=[\s,.;:!?)]|$)")  # a short quoted word or phrase
_QUOTATION = re.compile(r"[“\"«„][^”\"»]{12,}[”\"»]")
_PERSON_NAME = regex.compile(r"(?<!\p{L})\p{Lu}\p{Ll}+(?:[-'’]\p{Lu}\p{Ll}+)?\s+(?:\p{Lu}\.\s+)?\p{Lu}\p{Ll}+(?:[-'’]\p{Lu}\p{Ll}+)?(?!\p{L})")
_STEP_LINE = re.compile(r"(?m)^\s*(\d{1,2}[.)]|step\s+\d+\b|[-*•])\s+\S")
_ORDERED_LINE = re.compile(r"(?m)^\s*(\d{1,2}[.)]|step\s+\d+\b)\s+\S")
# what a person is told to do: "Open the profile, click More and choose Archive traveller."
IMPERATIVE = re.compile(r"(?:^|[,;:.]\s+|\band\s+(?:then\s+)?|\bthen\s+|^\s*(?:\d{1,2}[.)]|[-*•])\s+|\bto\s+\w+[^,.]*,\s+)"
                        r"(open|click|choose|select|go\s+to|switch|turn|enter|type|press|tap|pick|add|remove|"
                        r"drag|upload|sign\s+in|log\s+in|paste|copy|save|set|enable|disable|find|follow|visit|"
                        r"connect|authori[sz]e|confirm|check|fill\s+in|download|install|create|invite|use)\b", re.I | re.M)
# "Ada Lind: ...", "[00:03] Ada Lind: ...", "(00:12) ADA: ...", "Tom Birch (Harbour Rooms): ..." (who they are with)
_SPEAKER = re.compile(r"^\s*(?:[\[(]?\d{1,2}:\d{2}(?::\d{2})?[\])]?\s*)?([A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){0,3})"
                      r"(?:\s+\([A-Z][^()]{0,40}\))?\s*:\s+\S")


# a unit given once in a label, "Fee per drop (€)", "Audit log retention (days)", "List price ($/user/mo)"
_LABEL_UNIT = re.compile(r"\(([^()]{1,24})\)\s*$")
_BARE_NUMBER = re.compile(r"^\s*\d[\d,]*(?:\.\d+)?\s*$")
_CURRENCY = re.compile(r"^\s*([$€£¥₹]|usd|eur|gbp|chf)", re.I)


def with_unit(value: str, column: str, row: str = "") -> str:
    """A bare number read with the unit its column header (or, in a table set out the other way round, its row's
    label) gives once in brackets: "30" under "Audit log retention (days)" is "30 days", "4.50" under "Fee per drop
    (€)" is "€4.50". Anything else is returned as it is."""
    if not _BARE_NUMBER.match(value):
        return value
    for label in (column, row):
        m = _LABEL_UNIT.search(label or "")
        if not m:
            continue
        unit = m.group(1).strip()
        currency = _CURRENCY.match(unit)
        if currency:
            sign, rest = currency.group(1), unit[currency.end():].strip()
            amount = f"{sign} {value.strip()}" if sign[0].isalpha() else f"{sign}{value.strip()}"
            return amount + (rest if rest.startswith("/") else f" {rest}" if rest else "")
        if re.match(r"^[%a-zA-Z][\w %/.-]*$", unit) and not re.search(r"\b(incl|excl|approx|est)", unit, re.I):
            return f"{value.strip()}{unit}" if unit.startswith("%") else f"{value.strip()} {unit}"
    return value


def read_units(text: str) -> str:
    """``text`` with the bare numbers of its Markdown tables read with the units their headers give
    (:func:`with_unit`): what a judge of "how long ...?" reads in "| Audit log retention (days) | 30 | 90 |"."""
    if "|" not in text or "(" not in text:
        return text
    out, header = [], None
    for line in text.splitlines():
        if not re.match(r"^\s*\|.*\|\s*$", line):
            header = None
            out.append(line)
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
        elif not all(re.fullmatch(r":?-{2,}:?", c) for c in cells):
            cells = [with_unit(c, h, cells[0]) for c, h in zip(cells, header)] + cells[len(header):]
            line = "| " + " | ".join(cells) + " |"
        out.append(line)
    return "\n".join(out)


def instructions(text: str) -> int:
    """How many instructions ``text`` gives: numbered steps, or imperative clauses ("open ..., click ...")."""
    return max(len(_ORDERED_LINE.findall(text)), len(IMPERATIVE.findall(text)))


def speaker_of(text: str) -> str:
    """The speaker a transcript turn starts with ("Ruth Alvarez: A 50 kWh battery ..."), or ""."""
    m = _SPEAKER.match(text)
    if not m or m.group(1).lower() in ("date", "time", "place", "location", "where", "when", "note", "tip", "step"):
        return ""
    return m.group(1)


def carries(asked: Asked, text: str) -> bool:
    """Does ``text`` carry the kind of thing ``asked`` wants (a figure of the right sort, a person, a date, steps)?"""
    if asked.wants_figure:
        # a date is not a figure: "the quarterly period ended June 25, 2022" states no amount
        if not _NUMBER.search(_DATES_ONLY.sub(" ", text)) and not re.search(r"\bfree\b", text, re.I):
            return False
        if asked.wants_saving:
            return bool(_MONEY.search(text) or _PERCENT.search(text) or re.search(r"\b(free|off|discount)\b", text, re.I))
        if asked.wants_money:  # "free" is a price only where no other figure is given ("2 months free" is not)
            return bool(_MONEY.search(text) or re.search(r"\bfree\b", text, re.I) and not _NUMBER.search(text))
        if asked.wants_rate:
            return bool(_PERCENT.search(text))
        if asked.wants_time:
            return bool(_DURATION.search(text) or _PERCENT.search(text))
        return True
    if asked.kind == "quote":
        return bool(_QUOTATION.search(text)) or any(  # a turn of the person's own, labelled "Amira:" or "AMIRA:"
            speaker_of(line) and any(n.casefold() in speaker_of(line).casefold().split() for n in asked.names)
            for line in text.splitlines())
    if asked.kind == "person":
        return bool(_PERSON_NAME.search(text))
    if asked.kind == "date":
        return bool(CLOCK.search(text)) if asked.wants_clock else bool(_DATE_TEXT.search(text))
    if asked.kind == "steps":
        return instructions(text) >= 2
    if asked.kind == "list":
        if asked.wants_words and _QUOTED_TERM.search(text):  # a style guide's words, quoted in prose: "never “onboardee”"
            return True
        return len(_STEP_LINE.findall(text)) >= 2 or len(re.findall(r"^\s*\|.*\|\s*$", text, re.M)) >= 3
    if asked.kind == "comparison" and asked.pair:
        return all(re.search(rf"(?<!\w){re.escape(side)}(?!\w)", text, re.I) for side in asked.pair)
    if asked.kind == "summary":
        return len(re.findall(r"\[\d{1,3}\]", text)) >= 2 or len(_STEP_LINE.findall(text)) >= 2
    return True


def direction_fit(asked: Asked, text: str) -> float:
    """How well a figure sentence matches a before/after question: +1 fits, -1 is the other side, 0 neutral or both."""
    if asked.direction == "change":  # "how much faster": the sentence with both figures, or the change itself
        both = re.search(r"\bfrom\s+[$€£]?\d(?:[^.]|\.\d)*\bto\s+[$€£]?\d", text, re.I)
        change = re.search(r"\d\s?(x|times|%)\s+(faster|slower|more|less|fewer|higher|lower)\b|\b(halved|doubled|tripled)\b"
                           r"|\b(fell|dropped|declined|decreased|rose|grew|increased|climbed|shrank|cut|reduced|lowered|raised)"
                           r"\s+(by\s+)?(about\s+|nearly\s+|almost\s+|over\s+)?[$€£]?\d", text, re.I)
        return 1.0 if both or change else 0.0
    if asked.wants_both_sides and asked.direction in ("after", "before"):
        # "... before and after?": what states both sides (a sentence, a row under "2024 | 2025" or "Then | Now")
        both = (re.search(r"\bfrom\s+[$€£]?\d(?:[^.]|\.\d)*\bto\s+[$€£]?\d|\bdown\s+to\b(?:[^.]|\.\d)*\bfrom\s+[$€£]?\d", text, re.I)
                or re.search(r"\bbefore\b.*\bafter\b|\bthen\b.*\bnow\b|\b((19|20)\d\d|q[1-4])\b.*\|.*\b((19|20)\d\d|q[1-4])\b",
                             text.split("\n", 1)[0], re.I)
                # "was 41 days; now 12", "We used to write off 300 a month; last month it was 20"
                or re.search(r"\b(was|were|used\s+to|before)\b[^.;]*\d[^.]*?[;,]\s*(?:and\s+|but\s+)?(now|today|last\s+\w+|this\s+\w+)\b"
                             r"[^.]*\d", text, re.I))
        return 1.0 if both else 0.0
    if asked.direction not in ("after", "before"):
        return 0.0
    has_after = bool(_AFTER.search(text) or re.search(r"\b(to|down\s+to|now)\s+[$€£]?\d", text))
    has_before = bool(_BEFORE.search(text))
    if has_after and has_before or re.search(r"\bfrom\s+[$€£]?\d(?:[^.]|\.\d)*\bto\s+[$€£]?\d", text):
        return 0.5  # both figures in one sentence: keep it whole, it answers either way
    if asked.direction == "after":
        return 1.0 if has_after else (-1.0 if has_before else 0.0)
    return 1.0 if has_before else (-1.0 if has_after else 0.0)


def _what(asked: Asked) -> str:
    about = f" for {asked.names[0]}" if len(asked.names) == 1 else ""
    if asked.kind == "figure":
        if asked.wants_money:
            priced = re.search(r"\b(price|prices|pricing|cost\s+per|how\s+much\s+(is|does|do|are))\b", asked.question, re.I)
            return f"the price{about}" if priced else f"the amount{about}"
        if asked.wants_rate:
            return f"the rate{about}"
        if asked.wants_time:
            return f"the time asked about{about}"
        return f"the figure asked for{about}"
    return {
        "quote": f"what {people[0]} said" if (people := _PERSON_NAME.findall(asked.question)) else "the quote",
        "person": "who it was",
        "date": "the time asked about" if asked.wants_clock else "when it was",
        "steps": "the steps",
        "list": "the items asked for",
        "comparison": f"both {asked.pair[0]} and {asked.pair[1]}" if asked.pair else "both things compared",
        "summary": "the document's key points",
    }.get(asked.kind, "the answer")


# words that frame an analytic question ("Discuss the significance of ...", "What role does ... play", "What
# unique characteristic ...", "... and what are the implications?"): they say how to answer, not what about
_FRAMING = {t for word in ("discuss", "significance", "significant", "role", "play", "plays", "specific", "specifically",
                           "particular", "particularly", "regarding", "concerning", "unique", "characteristic",
                           "contribute", "contribution", "implications", "implication", "ways", "way", "key",
                           "across", "within", "beyond", "among", "upon", "bring", "brings", "reveal", "revealed",
                           "develop", "developed") for t in analyse(word)}


def subject_terms(asked: Asked) -> list[str]:
    """What a figure is about, in stemmed words: the question's key terms without the measure or framing words.

    For a list, the plural that names the items ("Which *features* ...?", "What are the *benefits* ...")
    says what kind of thing the items are, not what they say: it is left out too.
    """
    measures = _measures(asked.language)
    terms = [t for t in asked.terms if t not in measures and t not in _FRAMING]
    if asked.kind == "list" and asked.language == ENGLISH:
        m = re.search(r"^\s*(?:which|what)\s+(?:are\s+(?:the|your|our|its|their)\s+)?(?:main\s+|key\s+|other\s+)?"
                      r"(?:[\w&'-]+\s+){0,2}?([\w-]*[a-rt-z]s)\b", asked.question, re.I)
        if m:
            noun = analyse(m.group(1))
            terms = [t for t in terms if t not in noun]
    return terms


def _found(term: str, words: set[str]) -> bool:
    """A stemmed term among ``words``, or a word sharing its first five letters ("certif" and "certifi")."""
    return term in words or f"{term}s" in words or len(term) >= 5 and any(
        w[:5] == term[:5] and len(w) >= 5 for w in words)


def _name_terms(asked: Asked) -> set[str]:
    """The stemmed words of the question's names and of any capitalised word after its first (the company's own
    name, "Northbeam", is in every passage and says nothing about whether one is on the subject)."""
    if asked.language == "de":  # every German noun is capitalised: only its names count
        return {t for name in asked.names for t in analyse(name, "de")}
    capitalised = [w for w in re.findall(r"[\w'’-]+", asked.question)[1:] if w[:1].isupper()]
    return {t for name in (*asked.names, *capitalised) for t in analyse(name, asked.language)}


def _checked_names(asked: Asked, domain: frozenset[str] = frozenset()) -> list[str]:
    """The names an answer must mention: not a version ("v1" of "SQuAD v1.1") nor one of the field's acronyms
    (``domain``, see :mod:`rag.answer.domain`: "LLM", "NLP"), which, like the company's own name, are in passages
    on every subject and say nothing about whether one is on this one."""
    return [n for n in asked.names if not re.fullmatch(r"v\d+", n, re.I) and not is_common(n, domain)]


def _off_subject(asked: Asked, body: str, where: str, close: bool = False) -> str:
    """The question's subject words (beyond names and measures) that the answer and its sources mostly lack, or "".

    "How do I contact support by phone?" answered with a rota's steps has the right shape and
    the wrong subject; "Can we split tips?" answered with "Tip: copy last week's rota" shares one
    word of two. The answer's own words count double: a subject word found only in a file name
    says little. Fewer than half found (or, with two words, not both) is off the subject.
    """
    about = [t for t in subject_terms(asked) if t not in _name_terms(asked) and not re.fullmatch(r"(19|20)\d\d", t)]
    if not about:
        return ""
    in_body = set(analyse(body, asked.language))
    in_where = set(analyse(where, asked.language))
    found = sum(1.0 if _found(t, in_body) else 0.5 if _found(t, in_where) else 0.0 for t in about)
    # close in meaning and the answer itself sharing a subject word: other words for the same subject
    if close and found >= 1 and any(_found(t, in_body) for t in about):
        return ""
    # more than half: one shared word of three is not enough; a lone subject word may be in the sources only.
    # A long analytic question ("What findings ... and what implications does this have for future ...?") asks
    # several things in many words; a quote answering one of them shares a third of its words
    needed = 0.5 if len(about) == 1 else 1.5 if len(about) == 2 else len(about) / 2 + 0.25 if len(about) < 6 \
        else len(about) / 3 + 0.25
    if found >= needed:
        return ""
    missing = [t for t in about if not _found(t, in_body)]
    words = [w for w in re.findall(r"[\w'-]+", asked.question)
             if analyse(w, asked.language) and analyse(w, asked.language)[0] in missing]
    return " ".join(dict.fromkeys(words)) or " ".join(missing)


# words that name one of several alternatives: a question about the summer campaign is not answered by the spring
# campaign's figure, nor a price per year by a price per month, nor the head of sales by the head of customer success
_ALTERNATIVES = (
    ("spring", "summer", "autumn", "fall", "winter"),
    ("daily", "day", "weekly", "week", "monthly", "month", "quarterly", "quarter", "yearly", "year", "annual",
     "annually"),
    ("sales", "marketing", "support", "success", "finance", "engineering", "product", "operations", "hr", "people"),
)
_SAME = {"day": "daily", "week": "weekly", "month": "monthly", "quarter": "quarterly", "year": "yearly",
         "annual": "yearly", "annually": "yearly", "fall": "autumn"}


def _other_alternative(asked: Asked, body: str) -> str:
    """The question's word for one of several alternatives (a season, a period, a department) when the answer names
    another of them and not it ("What was the open rate of the summer campaign?" -> "... the spring campaign ..."): the
    question's word, or ""."""
    if asked.language != ENGLISH:
        return ""
    asked_words = [w.lower() for w in re.findall(r"[\w'-]+", asked.question)]
    said = {_SAME.get(w, w) for w in re.findall(r"[a-z]+", body.lower())}
    for family in _ALTERNATIVES:
        wanted = [w for w in asked_words if w in family]
        if wanted and not {_SAME.get(w, w) for w in wanted} & said and any(_SAME.get(w, w) in said for w in family):
            return wanted[0]
    return ""


def _unsaid_entities(asked: Asked, body: str, where: str) -> str:
    """The question's words for a role, credential or company figure (see :data:`rag.answer.subjects.ENTITY_WORDS`)
    that the answer doesn't say (a role) or neither it nor its sources say (the others), in the question's spelling."""
    from .subjects import entity_terms, said_words

    if asked.language != ENGLISH:
        return ""
    roles = set(entity_terms(asked.question, roles_only=True))
    in_body, in_where = said_words(body), said_words(where)
    missing = [t for t in entity_terms(asked.question) if not _found(t, in_body if t in roles else in_where)]
    return " ".join(dict.fromkeys(w for w in re.findall(r"[\w'-]+", asked.question) if set(analyse(w)) & set(missing)))


CLOSE_IN_MEANING = 0.55  # dense cosine of a passage that paraphrases the question (see docs/using.md, Search)


def judge(asked: Asked, text: str, sources: str = "", closeness: float | None = None,
          domain: frozenset[str] = frozenset()) -> tuple[bool | None, str]:
    """Does ``text`` (an answer) state what was asked? (True, False or None = can't tell) and the reason, in plain words.

    ``sources``: the cited passages' file names, headings and what their documents are about
    (title, opening); a case study's passages state its customer's figures without naming the
    customer in every sentence, and a filing's table doesn't repeat the company on its cover.
    ``closeness``: the best dense similarity of the cited passages to the question. A passage that
    close (:data:`CLOSE_IN_MEANING`) is on the subject in meaning even when it uses other words for
    it ("pre-trained" for "trained"), so the subject-word check asks only that it shares one.
    ``domain``: acronyms common to the assistant's documents (:func:`rag.answer.domain.domain_acronyms`): the field's
    vocabulary ("LLM", "NLP"), not names the answer must mention.
    """
    body = read_units(re.sub(r"\s*\[\d{1,3}\]", "", text))
    if re.search(r"\b(documents|sources)\s+(don't|do not|doesn't|does not)\s+(say|state|mention|cover)\b", body, re.I):
        return False, "The answer says your documents don't state it."
    where = f"{body}\n{sources}".lower()
    missing_names = [n for n in _checked_names(asked, domain) if not mentions_name(n, f"{body}\n{sources}")]
    # in other languages every kind is checked for its subject words: "Wer ist der Geschäftsführer?" answered with
    # "Die Zahl der Anfragen ..." has the shape of a name (German capitalises nouns) and none of the subject
    off_subject = _off_subject(asked, body, where, close=closeness is not None and closeness >= CLOSE_IN_MEANING) \
        if asked.kind in ("steps", "list", "yes_no", "description") or asked.language != ENGLISH and asked.kind != "figure" \
        else ""
    if asked.kind == "figure":
        # names, the company's own name and the year asked about say nothing of whether the figure is the one asked
        # (a number in a name, "SOC 2", "ISO 27001", still does)
        about = [t for t in subject_terms(asked) if t not in _name_terms(asked) and not re.fullmatch(r"(19|20)\d\d", t)]
        found = set(analyse(where, asked.language))
        if about and sum(_found(t, found) for t in about) < len(about) / 2:
            off_subject = " ".join(w for w in re.findall(r"[\w'-]+", asked.question)
                                   if (a := analyse(w, asked.language)) and a[0] in about and not _found(a[0], found))
    # a list quoted as a list is checked like a figure; "What findings does the paper report?" answered in prose
    # may still answer, and is judged like any description
    # a role, credential or company figure asked about ("CEO", "certifications", "revenue") must be said: a role in
    # the answer itself ("head of customer success" is not who the CEO is), the others in it or its sources
    unsaid = _unsaid_entities(asked, body, where) or _other_alternative(asked, body)
    unsaid_reason = f"These are the closest passages; none of them says anything about “{unsaid}”."
    strict = ("figure", "quote", "person", "date", "steps", "comparison", "summary") + (
        ("list",) if carries(asked, body) else ())
    if asked.kind in strict:
        if not carries(asked, body):
            return False, f"These are the closest passages; none of them states {_what(asked)}."
        if unsaid:
            return False, unsaid_reason
        if missing_names:
            return False, f"These passages don't mention {', '.join(missing_names)}, so they may not state {_what(asked)}."
        if off_subject:
            return False, f"These are the closest passages; none of them says anything about “{off_subject}”."
        return True, f"It states {_what(asked)}."
    if unsaid:
        return False, unsaid_reason
    if missing_names:
        return False, f"These passages don't mention {', '.join(missing_names)}."
    if off_subject:
        return False, f"These are the closest passages; none of them says anything about “{off_subject}”."
    if asked.language == ENGLISH and _WHICH_ONE.search(asked.question) and _names_another(asked, body):
        return True, "It states which one."
    return None, "Whether this answers the question can't be checked automatically; read the sources."


# "Which CRM does Quillmoor integrate with?": a which-question on the subject is answered by the name it asks for
_WHICH_ONE = re.compile(r"^\s*which\s+[\w-]+\s+(does|do|did|is|are|can)\b", re.I)


def _names_another(asked: Asked, body: str) -> bool:
    """Does the answer name something (a capitalised word not opening a sentence) the question doesn't?"""
    asked_words = {w.lower() for w in re.findall(r"[\w'-]+", asked.question)}
    for sentence in re.split(r"(?<=[.!?])\s+", body):
        words = re.findall(r"[\w'-]+", sentence)[1:]
        if any(w[:1].isupper() and w.lower() not in asked_words and not w.isupper() for w in words):
            return True
    return False
