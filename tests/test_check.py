"""The citation check must catch invented figures and names, and credit faithful sentences."""

import pytest

from rag.answer.check import check_answer, is_factual, missing_facts, split_sentences
from rag.index.embed import MiniLMEmbeddings
from rag.types import Hit

SOURCES = [
    Hit("c1", "d1", "northwind.pdf", "Northwind cut onboarding from 41 days to 12 days after adopting Grounded. "
        "Their support team now answers tickets within four hours.", 0.8, 2, [2], "Results"),
    Hit("c2", "d2", "pricing.md", "Enterprise plans cost 900 dollars per month and include single sign-on, "
        "audit logs and a dedicated success manager.", 0.5),
    Hit("c3", "d3", "support.md", "Our support desk is open on weekdays from 9am to 6pm CET. "
        "Urgent issues can be escalated by phone.", 0.4),
]


@pytest.fixture(scope="module")
def model():
    return MiniLMEmbeddings()


def test_the_measured_tiny_model_draft_is_caught(model):
    """No markers, a derived figure and an invented one: exactly what SmolLM2 wrote."""
    draft = (
        "Northwind made onboarding 1.25% faster. Our customers saw a 12% increase in revenue. "
        "Northwind cut onboarding from 41 days to 12 days.\n\n#growth #saas"
    )
    r = check_answer(draft, SOURCES, model)
    by_text = {s.text: s for s in r.sentences}
    faster = by_text["Northwind made onboarding 1.25% faster."]
    assert faster.support == "unsupported" and any("1.25%" in x for x in faster.reasons)
    increase = by_text["Our customers saw a 12% increase in revenue."]
    assert increase.support == "unsupported"
    faithful = by_text["Northwind cut onboarding from 41 days to 12 days."]
    assert faithful.support == "supported" and faithful.citations == [1]
    assert r.attributed is True
    assert r.citations[0].quote == "Northwind cut onboarding from 41 days to 12 days after adopting Grounded."
    assert r.grounded_fraction < 0.5
    assert by_text["#growth #saas"].reasons == ["no factual claim"]


def test_markers_pointing_nowhere_are_removed_and_counted(model):
    r = check_answer("Enterprise plans cost 900 dollars a month [2][7]. Support is on weekdays [0].", SOURCES, model)
    assert r.removed_markers == 2
    assert "[7]" not in r.answer and "[0]" not in r.answer
    assert "month [1]." in r.answer and r.citations[0].chunk_id == SOURCES[1].chunk_id  # source 2, renumbered first
    assert r.attributed is False


def test_marker_after_the_period_and_multi_markers(model):
    r = check_answer("The support desk answers on weekdays. [3] Plans include audit logs [2, 3].", SOURCES, model)
    # numbered in the order the answer uses them: source 3 becomes [1], source 2 becomes [2]
    assert [s.citations for s in r.sentences] == [[1], [2, 1]]
    assert all(s.support == "supported" for s in r.sentences)
    assert [(c.n, c.chunk_id) for c in r.citations] == [(1, SOURCES[2].chunk_id), (2, SOURCES[1].chunk_id)]
    assert r.answer.endswith("audit logs [2][1].")


def test_paraphrase_supported_unrelated_not(model):
    para = check_answer("Onboarding at Northwind dropped from 41 to 12 days [1].", SOURCES, model).sentences[0]
    assert para.support == "supported"
    unrelated = check_answer("Our headquarters moved to a larger office downtown [1].", SOURCES, model).sentences[0]
    assert unrelated.support == "unsupported"


@pytest.mark.parametrize(
    "sentence,passage",
    [
        ("Costs fell 12 percent.", "Costs fell 12%."),
        ("The plan is $900 a month.", "The plan costs 900 dollars a month."),
        ("We shipped 1200 units.", "We shipped 1,200 units."),
        ("It includes SSO.", "It includes single sign-on."),
    ],
)
def test_figures_are_normalised(sentence, passage):
    assert missing_facts(sentence, passage) == []


def test_percent_must_be_a_percent_and_names_must_appear():
    assert missing_facts("Sales rose 12%.", "Onboarding took 12 days.") == ["“12%” is not in the cited source"]
    assert missing_facts("We helped Contoso grow.", "We helped Northwind grow.") == ["“Contoso” is not in the cited source"]


def test_invented_name_is_unsupported_even_when_similar(model):
    s = check_answer("We helped Contoso cut onboarding to 12 days [1].", SOURCES, model).sentences[0]
    assert s.support == "unsupported" and "Contoso" in s.reasons[0]


def test_unmarked_sentence_among_marked_ones(model):
    r = check_answer("Enterprise plans cost 900 dollars per month [2]. The moon is made of cheese.", SOURCES, model)
    assert r.sentences[1].support == "unsupported" and r.sentences[1].reasons == ["no citation"]
    assert r.grounded_fraction < 0.7


def test_sentence_splitting_respects_decimals_abbreviations_and_lists():
    text = "Revenue grew 4.5% in Q3, e.g. in the U.S. market. Then it fell.\n- first point\n2) second point"
    assert split_sentences(text) == [
        "Revenue grew 4.5% in Q3, e.g. in the U.S. market.",
        "Then it fell.",
        "- first point",
        "2) second point",
    ]


def test_non_factual_lines_do_not_count():
    assert not is_factual("Here is a draft:")
    assert not is_factual("#marketing #growth")
    assert not is_factual("Sure!")
    assert is_factual("Northwind cut onboarding to 12 days.")
    r = check_answer("Here is what I found:\nEnterprise plans cost 900 dollars per month [2].", SOURCES, None)
    assert r.grounded_fraction == 1.0  # lexical only, the lead-in excluded
