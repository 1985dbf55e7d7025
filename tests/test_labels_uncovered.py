"""Labels that never overclaim: uncovered questions that share a word or a topic with the documents.

A seventh made-up company's documents (Quillmoor, email scheduling for florists and garden centres): a case study, a
price list, a help page, a webinar transcript and an e-mail newsletter, in layouts of their own. Each uncovered
question asks for something the documents never state (a certification, a plan, an integration, a role, a country,
revenue, a date) while sharing words with them; it must be refused or flagged, never labelled "answers the
question". Its answerable neighbour must still be answered and labelled so.
"""

from __future__ import annotations

import pytest

from rag.answer.asked import classify, judge
from rag.answer.chain import AskOptions, ask
from rag.answer.subjects import unstated_entities
from rag.ingest.pipeline import ingest_bytes

CASE_STUDY = b"""# How Hollyhock Garden Centre doubled repeat orders with Quillmoor

Hollyhock Garden Centre runs three shops in Kent and sells bedding plants, shrubs and gift hampers.

## The challenge
Before Quillmoor, the team sent one newsletter a month by hand and could not tell which customers came back.

## The results
Within six months of switching, repeat orders rose from 18% to 36% of all orders.
The open rate of the spring campaign reached 52%.

"We finally know who our regulars are," says Maddie Oakes, Marketing Manager at Hollyhock Garden Centre.
"Quillmoor's seasonal templates saved us two days a month."
"""

PRICES = b"""# Quillmoor pricing 2026

| Plan | Price per month | Contacts | Users |
| --- | --- | --- | --- |
| Seedling | \xc2\xa319 | 1,000 | 1 |
| Bloom | \xc2\xa349 | 10,000 | 5 |
| Orchard | \xc2\xa3129 | 50,000 | 20 |

All plans include the seasonal template library. Annual billing saves two months.
"""

HELP = b"""<html><head><title>Connect your CRM</title></head><body>
<h1>Connect your CRM</h1>
<p>Quillmoor integrates with HubSpot. Contacts and their tags sync every 15 minutes.</p>
<h2>Set up the HubSpot sync</h2>
<ol><li>Open Settings and choose Integrations.</li><li>Click Connect next to HubSpot.</li>
<li>Sign in to HubSpot and approve access.</li></ol>
<h2>Smart send times</h2>
<p>Coming soon.</p>
</body></html>"""

WEBINAR = b"""WEBVTT

00:00:01.000 --> 00:00:09.000
<v Tom Fairley>Welcome to our webinar on Mother's Day campaigns. I'm Tom Fairley, head of customer success at Quillmoor.

00:00:10.000 --> 00:00:20.000
<v Tom Fairley>Our florists sent their Mother's Day emails on average nine days before the day, and the best results came from three emails rather than one.

00:00:21.000 --> 00:00:30.000
<v Tom Fairley>Quillmoor now has 2,400 customers in the UK, most of them independent florists.
"""

NEWSLETTER = b"""From: Quillmoor News <news@quillmoor.example>
To: subscribers@quillmoor.example
Subject: Quillmoor Spring Update
Date: Mon, 2 Mar 2026 09:00:00 +0000
Content-Type: text/plain; charset=utf-8

Hello from Quillmoor!

Our Chelsea Flower Show meetup takes place on 20 May 2026 at the Royal Hospital Chelsea, stand 14.
New this spring: the Easter template pack, with twelve designs for garden centres.
Thanks for growing with us,
The Quillmoor team
"""

ANSWERABLE = [
    ("How much does the Bloom plan cost?", "49"),
    ("Who is quoted in the Hollyhock case study?", "Maddie Oakes"),
    ("Which CRM does Quillmoor integrate with?", "HubSpot"),
    ("How many customers does Quillmoor have in the UK?", "2,400"),
    ("When is the Chelsea Flower Show meetup?", "20 May 2026"),
    ("How much did repeat orders rise at Hollyhock?", "36%"),
    ("How many contacts does the Orchard plan include?", "50,000"),
    ("What was the open rate of the spring campaign?", "52%"),
    ("Who is the head of customer success at Quillmoor?", "Tom Fairley"),
    ("How much does the Bloom plan cost per month?", "49"),
    ("Who is the marketing manager at Hollyhock?", "Maddie Oakes"),
]

UNCOVERED = [
    "Is Quillmoor ISO 27001 certified?",
    "Which certifications does Quillmoor hold?",
    "How much does the Enterprise plan cost?",
    "How much does the Forest plan cost?",
    "When is the Hampton Court meetup?",
    "When is the next webinar?",
    "Do you integrate with Salesforce?",
    "Does Quillmoor integrate with Mailchimp?",
    "Who is the CEO of Quillmoor?",
    "Who founded Quillmoor?",
    "What is Quillmoor's annual revenue?",
    "How many employees does Quillmoor have?",
    "How do smart send times work?",
    "How many customers does Quillmoor have in Germany?",
    "How many customers does Quillmoor have in France?",
    "How does the Bloom plan compare with the Enterprise plan on price?",
    "Is Quillmoor GDPR compliant?",
    "What was Hollyhock's revenue growth?",
    "Who is the CFO of Hollyhock Garden Centre?",
    "Is Quillmoor HIPAA compliant?",
    # the same family, another member: a season, a period, a department
    "What was the open rate of the summer campaign?",
    "What was the open rate of the autumn campaign?",
    "How much does the Bloom plan cost per year?",
    "Who is the head of sales at Quillmoor?",
    "Who is the marketing director at Hollyhock?",
    "Which awards has Quillmoor won?",
    "Does Quillmoor offer a free trial?",
    "What is Quillmoor's churn rate?",
    "How many shops does Hollyhock have in Sussex?",
    "When is the Easter webinar?",
    "Do you integrate with Shopify?",
]


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    from rag.index import close_all_indexes
    from rag.ingest.recovery import open_store
    from rag.settings import Settings

    home = tmp_path_factory.mktemp("labels")
    patch = pytest.MonkeyPatch()
    for var in ("QDRANT_URL", "OPENAI_API_KEY", "GROUNDED_DATA_DIR", "GROUNDED_EMBEDDING", "GROUNDED_DATABASE_URL",
                "GROUNDED_ORIGINALS_DIR", "GROUNDED_INDEXER"):
        patch.delenv(var, raising=False)
    store = open_store(Settings.load(home / "data", secrets_path=home / "no-secrets.toml"))
    for name, data in (("hollyhock-case-study.md", CASE_STUDY), ("quillmoor-pricing.md", PRICES),
                       ("connect-your-crm.html", HELP), ("mothers-day-webinar.vtt", WEBINAR),
                       ("spring-update.eml", NEWSLETTER)):
        ingest_bytes(store, name, data)
    yield store
    store.catalog.close()
    close_all_indexes()
    patch.undo()


def _ask(store, question: str):
    return ask(store, question, options=AskOptions(model="extractive"), user=None)


def _flagged(answer) -> bool:
    codes = {n.code for n in answer.notices}
    return answer.refused or answer.answers_question is False or bool(codes & {"not_answered", "weak_match"})


@pytest.mark.slow
@pytest.mark.parametrize("question, fact", ANSWERABLE)
def test_an_answerable_neighbour_is_answered_and_labelled(docs, question, fact):
    answer = _ask(docs, question)
    assert not answer.refused, answer.answer
    assert fact in answer.answer, answer.answer
    assert answer.answers_question is True, (answer.answers_reason, answer.answer)
    assert not _flagged(answer), [n.code for n in answer.notices]


@pytest.mark.slow
@pytest.mark.parametrize("question", UNCOVERED)
def test_an_uncovered_question_is_refused_or_flagged_never_labelled_answering(docs, question):
    answer = _ask(docs, question)
    assert answer.answers_question is not True, (answer.answers_reason, answer.answer)
    assert _flagged(answer), answer.answer


ABOUT = b"""# About Quillmoor

Quillmoor was founded in 2019 by Ruth Ashdown, who is still our CEO.
We are a team of 34 employees in Bristol and Leeds.
Quillmoor is ISO 27001 certified and GDPR compliant; our certifications are renewed every year.
Annual revenue passed \xc2\xa34.1 million in 2025.
"""

ENTITY_NEIGHBOURS = [
    ("Who is the CEO of Quillmoor?", "Ruth Ashdown"),
    ("Who founded Quillmoor?", "Ruth Ashdown"),
    ("How many employees does Quillmoor have?", "34"),
    ("Is Quillmoor ISO 27001 certified?", "ISO 27001"),
    ("What is Quillmoor's annual revenue?", "4.1 million"),
    ("Is Quillmoor GDPR compliant?", "GDPR"),
]


@pytest.mark.slow
@pytest.mark.parametrize("question, fact", ENTITY_NEIGHBOURS)
def test_a_role_credential_or_figure_a_page_states_is_still_answered(store, question, fact):
    for name, data in (("about-quillmoor.md", ABOUT), ("mothers-day-webinar.vtt", WEBINAR),
                       ("hollyhock-case-study.md", CASE_STUDY)):
        ingest_bytes(store, name, data)
    answer = _ask(store, question)
    assert not answer.refused and fact in answer.answer, answer.answer
    assert answer.answers_question is not False and not _flagged(answer), (answer.answers_reason, answer.notices)


@pytest.mark.parametrize("question, texts, expected", [
    ("Who is the CEO of Quillmoor?", ["I'm Tom Fairley, head of customer success at Quillmoor."], ["CEO"]),
    ("Who founded Quillmoor?", ["Quillmoor was founded in 2019 by Ruth Ashdown."], []),
    ("Which certifications does Quillmoor hold?", ["All plans include the template library."], ["certifications"]),
    ("Which certifications does Quillmoor hold?", ["Quillmoor is ISO 27001 certified."], []),
    ("What is Quillmoor's annual revenue?", ["Quillmoor has 2,400 customers."], ["revenue"]),
    ("How many employees does Quillmoor have?", ["A team of 34 employees."], []),
    ("How much does the Bloom plan cost?", ["| Bloom | £49 |"], []),
    # another word for the same role
    ("Who is the CEO of Quillmoor?", ["Ruth Ashdown, chief executive officer"], []),
    ("Who is the chief executive of Quillmoor?", ["Ruth Ashdown, CEO"], []),
    ("Who is the owner of Hollyhock?", ["Maddie Oakes, who owns Hollyhock"], []),  # no role, credential or company figure asked
])
def test_the_thing_asked_about_must_be_said_by_some_passage(question, texts, expected):
    assert unstated_entities(question, texts) == expected


@pytest.mark.parametrize("question, answer, expected", [
    # another person's role is not the one asked about
    ("Who is the CEO of Quillmoor?", "I'm Tom Fairley, head of customer success at Quillmoor. [1]", False),
    ("Who founded Quillmoor?", "I'm Tom Fairley, head of customer success at Quillmoor. [1]", False),
    ("Who is the CEO of Quillmoor?", "Ruth Ashdown, who is still our CEO. [1]", True),
    ("Which certifications does Quillmoor hold?", "Hello from Quillmoor! [1]", False),
    ("What is Quillmoor's annual revenue?", "Quillmoor now has 2,400 customers in the UK. [1]", False),
])
def test_an_answer_that_does_not_say_the_role_or_credential_asked_about_is_not_labelled_answering(question, answer,
                                                                                                 expected):
    assert judge(classify(question), answer, "quillmoor-news.eml")[0] is expected
