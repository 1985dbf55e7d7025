"""A post series: different facts per post, the team's usual slot, and exports a calendar app and a sheet can read."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timezone

import icalendar
import pytest

from rag.errors import GroundedError
from rag.index import close_all_indexes
from rag.ingest.recovery import open_store
from rag.marketing.series import Slot, plan_series, series_csv, series_ics, suggested_dates, usual_slot
from rag.settings import Settings
from tests.conftest import run_cli
from tests.marketing_fixtures import ingest_acme

SOURCES = ("acme-case-study.md", "globex-customer-story.md")


@pytest.fixture(scope="module")
def acme(tmp_path_factory):
    root = tmp_path_factory.mktemp("series")
    store = open_store(Settings.load(root / "data", secrets_path=root / "none.toml").with_(answer_model=None))
    ingest_acme(store, root / "docs")
    yield store
    store.catalog.close()
    close_all_indexes()


def test_the_usual_slot_is_the_weekday_and_hour_most_posts_went_out(acme):
    slot = usual_slot(acme, "default", user=None)
    # 9 of the 10 posts: Tuesdays, 08:00-08:20 UTC, three of them at 08:05
    assert (slot.weekday, slot.hour, slot.minute, slot.posts) == (1, 8, 5, 10)
    assert slot.describe().startswith("Tuesdays at 08:05 UTC")
    dates = suggested_dates(slot, 3, date(2026, 12, 3))  # a Thursday: the first Tuesday after it
    assert dates == [datetime(2026, 12, d, 8, 5, tzinfo=timezone.utc) for d in (8, 15, 22)]
    assert "common choice" in Slot().describe()


def test_a_series_of_four_posts_exports_as_csv_and_ics(acme):
    series = plan_series(acme, "customer results", 4, files=SOURCES, start=date(2026, 12, 1), user=None)
    assert len(series.posts) == 4 and not series.notices
    leads = [p.lead for p in series.posts]
    assert len(set(leads)) == 4  # each post is built around a different fact
    assert {p.draft.citations[0].file for p in series.posts} == set(SOURCES)  # both stories get told
    for p in series.posts:
        assert p.draft.model == "composed" and p.draft.passed, [c.as_dict() for c in p.draft.checks]
        assert p.when.weekday() == 1 and (p.when.hour, p.when.minute) == (8, 5)
    assert [p.when.day for p in series.posts] == [1, 8, 15, 22]

    rows = list(csv.DictReader(io.StringIO(series_csv(series))))
    assert [r["date"] for r in rows] == [f"2026-12-{d:02d} 08:05 UTC" for d in (1, 8, 15, 22)]
    assert all(r["text"] and "[1]" not in r["text"] for r in rows)  # as it would be published
    assert {r["sources"].split(" · ")[0] for r in rows} == set(SOURCES)

    calendar = icalendar.Calendar.from_ical(series_ics(series, made=datetime(2026, 11, 30, tzinfo=timezone.utc)))
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 4 and len({str(e["UID"]) for e in events}) == 4
    assert [e.decoded("DTSTART") for e in events] == [p.when for p in series.posts]
    first = events[0]
    assert str(first["SUMMARY"]).startswith("LinkedIn post 1 of 4: ")
    assert str(first["DESCRIPTION"]).startswith(series.posts[0].draft.publishable)  # line breaks, commas and ; survive
    assert "Sources: " in str(first["DESCRIPTION"])


def test_a_series_on_no_subject_closes_each_post_on_its_own_fact_with_an_emoji_of_the_team(acme):
    """"customer results" names no subject: each post's closing question is a past one sharing a subject word with
    the facts that post states (never an unrelated copy), and it carries one of the team's emoji (this team puts one
    on every post), so each post matches at least 5 of the 6 voice traits."""
    from rag.marketing.voice import emoji_in, hashtags_in, match_voice
    from rag.words import analyse

    series = plan_series(acme, "customer results", 4, files=SOURCES, start=date(2026, 12, 1), user=None)
    voice = series.posts[0].draft.voice
    for p in series.posts:
        text = p.draft.publishable
        question = [line for line in text.splitlines() if line.strip() and not hashtags_in(line)][-1]
        assert question in voice.closing_questions, text
        stated = set(analyse(" ".join(p.draft.stated))) - set(voice.common_terms)
        assert {t for t in set(analyse(question)) & stated if not t.isdigit()}, (question, p.draft.stated)
        assert len(emoji_in(text)) == 1 and emoji_in(text)[0] in voice.team_emoji
        assert len(match_voice(text, voice).matched) >= 5, match_voice(text, voice)


def test_series_limits(acme):
    with pytest.raises(GroundedError, match="2 to 8 posts"):
        plan_series(acme, "results", 12, user=None)


def test_a_series_from_the_command_line(tmp_path, capsys):
    data = tmp_path / "data"
    store = open_store(Settings.load(data, secrets_path=tmp_path / "none.toml"))
    ingest_acme(store, tmp_path / "docs")
    store.close()
    out = run_cli(capsys, "draft", "customer results", "--series", "4", "--source", SOURCES[0], "--source", SOURCES[1],
                  "--start", "2026-12-01", "--csv", tmp_path / "series.csv", "--ics", tmp_path / "series.ics",
                  "--data-dir", data)
    assert out.returncode == 0, out.stderr
    assert "Posting slot: Tuesdays at 08:05 UTC" in out.stdout and "--- Post 4 of 4: Tuesday 22 December 2026, 08:05 UTC" in out.stdout
    assert len(list(csv.DictReader((tmp_path / "series.csv").open()))) == 4
    assert len(list(icalendar.Calendar.from_ical((tmp_path / "series.ics").read_bytes()).walk("VEVENT"))) == 4


# --- exports a spreadsheet or a calendar can't be hijacked through (issue 21, point 8) ---

HOSTILE_NAMES = [
    '=HYPERLINK("http://127.0.0.1:9/x","click").md', "+cmd|' /C calc'!A0.md", "-2+3.md", "@SUM(A1).md", "\tx.md",
    "＝HYPERLINK(1).md", "note\rRRULE:FREQ=MINUTELY\r.md", "a\r\nATTENDEE:mailto:x@evil.example\r\n.md",
    "b\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:fake\n.md", "c\u2028X-INJECTED:1\u2029.md", "d\x0bX-VT:1\x0c.md",
    "e\x85X-NEL:1.md", "f;g,h\\i:j.md", "null\x00byte\x1b[31m.md",
]
EVENT_PROPERTIES = {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION"}


def _hostile_series(acme):
    series = plan_series(acme, "customer results", 4, files=SOURCES, start=date(2026, 12, 1), user=None)
    names = iter(HOSTILE_NAMES * 2)
    for n, post in enumerate(series.posts):
        for c in post.draft.citations:
            c.file, c.section = next(names), next(names)
        post.draft.text = f"=1+1\r{'é' * 40}🚀 " * 3 + post.draft.text + "\rRRULE:FREQ=MINUTELY\r\n-5"
    return series


def test_no_cell_of_the_series_csv_is_a_formula(acme):
    series = _hostile_series(acme)
    rows = list(csv.reader(io.StringIO(series_csv(series), newline="")))
    assert len(rows) == 1 + len(series.posts)
    for row in rows:
        for cell in row:
            first = cell.lstrip(" \u00a0")[:1]
            assert not first or first not in "=+-@\t\r\n＝＋－＠", row
    assert any(cell.startswith("'=HYPERLINK(") for row in rows for cell in row)  # shown as text, whole
    assert rows[1][1].startswith("'=1+1\r")


def test_the_calendar_has_one_event_per_post_and_nothing_else(acme):
    series = _hostile_series(acme)
    ics = series_ics(series, made=datetime(2026, 11, 30, tzinfo=timezone.utc))
    calendar = icalendar.Calendar.from_ical(ics)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == len(series.posts) == 4
    assert [c.name for c in calendar.walk()] == ["VCALENDAR"] + ["VEVENT"] * 4
    assert set(calendar) == {"VERSION", "PRODID", "CALSCALE", "METHOD"}
    for event, post in zip(events, series.posts):
        assert set(event) == EVENT_PROPERTIES, set(event)
        description = str(event["DESCRIPTION"])
        for c in post.draft.citations:  # the names are there, as text: line breaks as line breaks, ;,\ as written
            shown = re.sub("\r\n|[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]", "\n", c.file)
            assert re.sub("[\x00-\x08\x0e-\x1f\x7f]", "", shown) in description
        assert event.decoded("DTSTART") == post.when

    # a reader that splits lines anywhere (CR alone, NEL, U+2028...) sees only our properties, each on its own line
    unfolded = re.sub("\r\n[ \t]", "", ics)
    assert unfolded.endswith("\r\n") and ics.count("\r\n") == len(ics.splitlines())
    names = {re.match(r"[A-Z-]+", line).group(0) for line in unfolded.splitlines()}
    assert names == {"BEGIN", "END", "VERSION", "PRODID", "CALSCALE", "METHOD"} | EVENT_PROPERTIES
    for line in ics.split("\r\n")[:-1]:  # folded at 75 octets, never inside a UTF-8 character
        assert len(line.encode()) <= 75 and line.encode().decode() == line


def test_a_series_on_overtime_tells_each_fact_once_at_the_teams_minute(tmp_path):
    from rag.marketing.series import summary_of
    from tests.marketing_fixtures import ingest_brewhouse

    store = open_store(Settings.load(tmp_path / "data", secrets_path=tmp_path / "none.toml").with_(answer_model=None))
    try:
        ingest_brewhouse(store, tmp_path / "docs")
        assert usual_slot(store, "default", user=None).describe().startswith("Tuesdays at 08:30 UTC")  # not 08:00
        series = plan_series(store, "How Brewhouse Coffee cut overtime", 4, files=("brewhouse-case-study.pdf",),
                             start=date(2026, 12, 1), user=None)
        posts = [p.draft for p in series.posts]
        assert 2 <= len(posts) <= 4 and all((p.when.hour, p.when.minute) == (8, 30) for p in series.posts)
        if len(posts) < 4:  # fewer facts on the subject than posts asked for: said, not padded with other subjects
            assert "different facts on this topic" in series.notices[0].text
        assert "overtime" in posts[0].publishable.lower() and "11% to 4%" in posts[0].publishable
        assert len({p.publishable for p in posts}) == len(posts)  # no two posts alike
        stated = [f for p in posts for f in p.stated]
        assert len(stated) == len(set(stated))  # no fact or quote told twice
        assert sum("We stopped guessing the rota" in p.publishable for p in posts) <= 1
        assert not any("46 cafés" in p.publishable for p in posts)  # growth is another subject
        for p in posts:  # every post says whose story it is: the customer the brief names, as the sources spell it
            assert "Brewhouse Coffee" in "\n".join(line for line in p.publishable.splitlines()
                                                    if not line.startswith("#")), p.publishable
        for p in posts:
            assert p.passed, [c.as_dict() for c in p.checks]
            for line in filter(None, (line.strip() for line in p.publishable.splitlines())):
                assert line.startswith("#") or re.search(r"[.!?:”\"]\W*$", line), line  # no post cut mid-sentence
        calendar = icalendar.Calendar.from_ical(series_ics(series, made=datetime(2026, 11, 30, tzinfo=timezone.utc)))
        for event, post in zip(calendar.walk("VEVENT"), posts):
            summary = str(event["SUMMARY"]).split(": ", 1)[1]
            first = post.publishable.splitlines()[0]
            assert first.startswith(summary.rstrip("…")) and (summary == first or summary.endswith("…"))
            assert summary == first or first[len(summary) - 1] == " "  # cut after a whole word
    finally:
        store.catalog.close()
        close_all_indexes()
    assert summary_of("Brewhouse Coffee grew from 12 to 46 cafés in 4 years and opened more", 40) == \
        "Brewhouse Coffee grew from 12 to 46…"
