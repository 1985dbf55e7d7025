"""Composed posts fit the team's template: version 1 opens the way the team opens and keeps to its length, no figure
is stated twice, a quote is trimmed at a sentence or clause (never inside a word) with its speaker's name and title,
a story told line by line keeps the team's paragraphs; a series reaches its length through other kinds of fact, or
says why it can't.

Made-up teams and documents (no benchmark corpus: those stay held apart), composed offline from the same functions
the Write page uses (:func:`rag.marketing.composer.compose` over :func:`rag.marketing.facts.extract_facts`).
"""

from __future__ import annotations

import re

from rag.marketing.composer import Context, _repeats_figure, compose
from rag.marketing.facts import Fact, _speaker, extract_facts, quote_forms, word_tokens
from rag.marketing.series import pick_leads, short_series_text
from rag.marketing.voice import check_voice, opener_kind, paragraphs, plain, profile_from_texts, words
from rag.types import Hit

# A ferry company's case study: the brief's metric as a sentence, a second result, a problem, how, a quote.
CASE = ("Tidewater Ferries runs 9 crossings a day on the Solent.\n\n"
        "Boarding queues were managed by hand, and cars waited on the quay in the rain.\n\n"
        "Tidewater Ferries introduced timed boarding slots in the app.\n\n"
        "Average boarding time per car fell from 40 minutes to 15 minutes in 6 months.\n"
        "Missed sailings fell from 7% to 2% of bookings.\n\n"
        "“Drivers arrive when their slot opens, not an hour early. The quay is calm now, and the crew can breathe.” "
        "says Maya Okafor, Head of Port Operations at Tidewater Ferries.")
BRIEF = "How Tidewater Ferries cut boarding time at the quay"

# A team that opens with a short statement, one emoji on the first line, a closing question, two hashtags, ~16 words.
SHORT_POSTS = [f"{opening} ⛴️\n\n{middle}\n\n{question}\n\n#ferries #travel" for opening, middle, question in [
    ("Queues are nobody's hobby.", "We shortened ours.", "How long do you queue?"),
    ("Rain on the quay is no fun.", "So we moved the wait indoors.", "Where do you wait?"),
    ("Timetables should be simple.", "Ours fit on one card.", "How do you plan a crossing?"),
    ("Crews deserve calm mornings.", "Slots make that happen.", "What makes your morning calm?"),
    ("Every car has a slot now.", "Nobody rushes the ramp.", "Do you book a slot?"),
    ("The quay is quieter this year.", "Drivers noticed first.", "What did you notice?"),
    ("Boarding is a team sport.", "The app is the whistle.", "Who boards first at yours?"),
    ("Late again? Not with slots.", "The boat waits for nobody.", "How early do you arrive?"),
]]


# The same team in longer posts (about 30 words): room for the result and a quote, not for the whole quote.
MEDIUM_POSTS = [p.replace("\n\n#", "\n\nEvery crossing this season has run on time, and the crews say so too.\n\n#")
                for p in SHORT_POSTS]


def _facts(text: str = CASE, topic: str = BRIEF) -> list[Fact]:
    hit = Hit("c1", "d1", "tidewater-case-study.md", text, 1.0, section="Case study > Results")
    return extract_facts([hit], topic=topic)


def _compose(posts: list[str], variants: int = 3, topic: str = BRIEF):
    profile = profile_from_texts(posts)
    return compose("linkedin-post", _facts(topic=topic), Context(topic, profile), variants), profile


def test_version_1_opens_the_way_the_team_does_and_keeps_to_its_length():
    """The team opens with a short statement, never a figure: version 1 opens with the brief's own words ("Less
    boarding time", the run of the brief the result states) or, when naming the customer in the figure's sentence
    would run past the team's length, with the customer's name (a figure nobody is named for is nobody's), and
    matches at least 5 of the 6 traits, the brief's figures in it."""
    drafts, profile = _compose(SHORT_POSTS)
    v1 = plain(drafts[0].text)
    assert "40 minutes" in v1 and "15 minutes" in v1
    assert opener_kind(v1) == "statement", v1
    assert v1.splitlines()[0].startswith(("Less boarding time.", "Tidewater Ferries")), v1
    assert "Tidewater Ferries" in "\n".join(v1.splitlines()[:3]), v1  # named beside the figure
    match = check_voice(v1, profile)
    assert len(match.matched) >= 5, match.mismatched


def test_no_version_states_a_figure_twice():
    drafts, _ = _compose(SHORT_POSTS)
    for d in drafts:
        assert not _repeats_figure(d.text), d.text
    assert _repeats_figure("41 days → 12 days. [1]\n\nAcme cut onboarding from 41 days to 12 days. [1]")
    assert not _repeats_figure("Cut from 14 km to 8 km in 8 months. [1]")  # "8 km" and "8 months" are two figures


def test_the_customers_words_keep_to_the_teams_length_with_whole_words_and_the_speaker():
    drafts, profile = _compose(MEDIUM_POSTS)
    quoted = next(d for d in drafts if d.angle == "The customer's words")
    text = plain(quoted.text)
    hi = profile.words_range[1]
    assert len(words(text)) <= hi + max(2, round(0.15 * profile.median_words)), text
    line = next(line for line in text.splitlines() if "“" in line)
    assert "Maya Okafor, Head of Port Operations" in line and not line.startswith("“Drivers arrive when their slot opens"
                                                                                   ", not an hour early. The quay")
    source = set(word_tokens(CASE))
    assert all(w in source for w in word_tokens(line)), line  # no word cut, none added


def test_quote_forms_trim_at_sentences_and_clauses_never_inside_a_word():
    text = ('"Patients turn up, and our front desks finally have time to talk to them," says Dr. Lena Brandt, '
            'Chief Operating Officer at Smilewell Clinics.')
    assert _speaker(text) == "Dr. Lena Brandt, Chief Operating Officer at Smilewell Clinics"  # a title of address
    facts = extract_facts([Hit("c", "d", "f.md", text, 1.0)])
    assert facts[0].kind == "quote"
    forms = quote_forms(facts[0], "no-shows")
    assert forms[0] == ("“Patients turn up, and our front desks finally have time to talk to them.” — Dr. Lena Brandt, "
                        "Chief Operating Officer at Smilewell Clinics.")
    assert "“Patients turn up…” — Dr. Lena Brandt, Chief Operating Officer." in forms
    for form in forms:
        assert "Dr. Lena Brandt, Chief Operating Officer" in form  # never the name alone
        said = re.search(r"“(.+?)[.…]?”", form).group(1)
        assert said in text  # a run of the speaker's own words, cut only where a sentence or clause ends


def test_a_story_told_line_by_line_keeps_the_teams_paragraphs():
    story = ("Last winter a deckhand showed us his notebook.\nEvery page was a list of cars.\nHe ticked them by hand.\n"
             "In the rain.\nWe asked what would help.\nHe said: know who is coming.\nThat became the slot list.\n"
             "He still keeps the notebook.")
    drafts, profile = _compose([story.replace("deckhand", w) for w in ("deckhand", "crew member", "skipper", "purser",
                                                                     "loader", "ticket clerk")])
    assert profile.paragraphs_range == (1, 1)
    v1 = plain(drafts[0].text)
    assert paragraphs(v1) == 1 and len(v1.splitlines()) >= 3, v1
    assert len(check_voice(v1, profile).matched) >= 5, check_voice(v1, profile).mismatched


def _fact(kind: str, text: str, match: float = 0.0, **kw) -> Fact:
    return Fact(kind, text, 1, "d1", "case.md", topic_match=match, relevance=0.5, **kw)


def test_a_short_series_reaches_four_posts_with_other_kinds_of_fact():
    """One result on the subject, then the problem, how and the customer's words of the same story: four posts,
    none telling a fact twice; a result about something else never fills the series."""
    facts = [_fact("result", "No-shows fell from 14% to 6%.", 1.0, before="14%", after="6%"),
             _fact("result", "Check-in time fell from 22 minutes to 9 minutes.", 0.0, before="22 minutes", after="9 minutes"),
             _fact("problem", "Front desks called every patient by hand."),
             _fact("how", "The group adopted automated reminders."),
             _fact("quote", "“Patients turn up now.” says Ana Ruiz, Head of Clinics.", speaker="Ana Ruiz, Head of Clinics")]
    leads = pick_leads(facts, 4, "How Smilewell cut no-shows")
    assert len(leads) == 4 and len({f.text for f in leads}) == 4
    assert {f.kind for f in leads} == {"result", "problem", "how", "quote"}
    assert all("Check-in" not in f.text for f in leads)


def test_a_series_shorter_than_asked_says_what_to_add():
    leads = [_fact("result", "No-shows fell from 14% to 6%.", 1.0), _fact("quote", "“Patients turn up.”")]
    text = short_series_text(leads, 4)
    assert text.startswith("Your documents hold 2 different facts on this topic, so the series has 2 posts instead of 4")
    assert "how the change was made" in text and text.endswith("for 2 more posts.")
    three = short_series_text(leads + [_fact("how", "They adopted reminders.")], 4)
    assert "for a fourth post" in three and "what the problem was before" in three


def test_a_duration_in_other_units_goes_the_way_it_does():
    from rag.marketing.facts import direction

    assert direction("9 hours", "45 minutes") == -1  # 540 minutes to 45, though 45 > 9
    assert direction("2 weeks", "10 days") == -1 and direction("11%", "4%") == -1 and direction("12", "46") == 1


def test_a_first_line_with_a_before_and_after_figure_opens_with_a_figure():
    from rag.marketing.voice import hook_style

    assert hook_style("Picking errors fell from 12 to 3 per 1,000 orders after the switch.") == "number"
    assert opener_kind("Picking errors fell from 12 to 3 per 1,000 orders.\n\nWhy it matters.") == "figure"
    assert hook_style("Rotas went from chaos to calm.") == "short"  # no figure: no figure opener


def test_the_closing_question_is_the_one_of_the_post_about_the_briefs_subject():
    """The dock question closed a post about paperwork; the brief is about waiting time (the word "docks" in it is
    where, and "Freight" is the customer's name): the question of the post about waiting closes the draft."""
    from rag.marketing.voice import closing_question

    posts = ["Paperwork at the dock slows everything. 🚢\n\nScan once.\n\nHow many signatures does your dock need?\n\n#freight",
             "Waiting time is nobody's friend. 🚢\n\nBook slots.\n\nHow long do your ships sit at anchor?\n\n#freight",
             "Crews stay where they are respected. 🚢\n\nRoutes that make sense.\n\nWhat keeps your crews?\n\n#crews",
             "Fuel is the biggest line we control. 🚢\n\nIdle less.\n\nWhere does your fuel go?\n\n#fuel"]
    profile = profile_from_texts(posts)
    assert closing_question(profile, "How Portside Freight cut waiting time at the docks") == "How long do your ships sit at anchor?"
