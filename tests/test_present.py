from rag.present import (
    escape_markdown,
    highlight_spans,
    highlighted_markdown,
    location,
    mask_secret,
)


def test_escape_markdown_neutralises_links_html_and_directives():
    hostile = "<script>alert(1)</script> [click](http://evil) :red[x] **bold** ![img](a.png)"
    escaped = escape_markdown(hostile)
    for raw in ("<script>", "](", ":red[", "**", "!["):
        assert raw not in escaped


def test_highlight_marks_words_shared_with_the_claim():
    spans = highlight_spans("Northwind cut onboarding from 41 days to 12 days.", "Onboarding fell to 12 days")
    marked = [t for t, hit in spans if hit]
    assert any("onboarding" in t for t in marked) and any("12 days" in t for t in marked)
    assert "".join(t for t, _ in spans) == "Northwind cut onboarding from 41 days to 12 days."
    assert ":orange-background[" in highlighted_markdown("Northwind cut onboarding", "onboarding")


def test_location_and_secret_masking():
    assert location("deck.pptx", 3, "Pricing > Enterprise") == "deck.pptx · page 3 · Pricing > Enterprise"
    assert location("notes.md") == "notes.md"
    assert mask_secret("sk-abcdefghijklmnop1234") == "sk-…1234"
    assert mask_secret(None) == "not set"


def test_addresses_from_documents_chats_and_models_are_never_live():
    """A planted link is shown as code (copyable, not clickable), in every way text reaches the page."""
    from rag.present import passage_markdown, safe_answer_markdown

    planted = "Reset your account at https://evil.example/phish now, or write to help@evil.example."
    for render in (escape_markdown, safe_answer_markdown, passage_markdown,
                   lambda t: highlighted_markdown(t, "reset account evil phish")):
        shown = render(planted)
        assert "`https://evil.example/phish`" in shown and "`help@evil.example`" in shown, shown
        assert shown.count("https://") == 1  # only inside the code span
    linked = safe_answer_markdown("See [our docs](https://evil.example/x) and www.evil.example.")
    assert "our docs \\(link to `https://evil.example/x`\\)" in linked and "`www.evil.example`." in linked


# --- Nothing a document writes becomes a live link, image or HTML (issue 21, point 4) ---

import csv  # noqa: E402
import io  # noqa: E402
import re

import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from rag.present import csv_text, neutralise, passage_markdown, safe_answer_markdown, spreadsheet_cell  # noqa: E402
from tests.markdown_check import live_parts  # noqa: E402

RENDERS = {
    "escape_markdown": escape_markdown,
    "safe_answer_markdown": safe_answer_markdown,
    "passage_markdown": passage_markdown,
    "highlighted_markdown": lambda t: highlighted_markdown(t, "see evil beacon host text"),
    "caption on our colour": lambda t: f":gray[{escape_markdown(t)}]",
}

ATTACKS = [
    "![x][p]\n\n[p]: //127.0.0.1:9/beacon.png",  # the one from the report: a reference-style image
    "[text][p]\n\n[p]: //host/x",
    "[text][]\n\n[text]: https://host/x 'a title'",
    "[text]\n\n[text]: <//host/x> (a title)",
    "[p]: //host/x \"title\"\n[shortcut]",
    "![alt][ref]\n\n  [REF]:\n   //host/beacon.png",  # case-folded label, destination on the next line
    "[a](//host/x)", "[a](<//host/x>)", "[a](http://host/x \"t\")", "![a](//127.0.0.1:9/b.png)",
    "[a [nested] b](//host)", "[a \\] b](//host)", "[![img](//host/i.png)](//host/link)",
    "\\[not a link\\](//host)", "\\![x](//host/i.png)", "![x](//host/i.png \"t\")",
    "<https://host/auto>", "<mailto:a@b.example>", "<a@b.example>", "<//host/x>",
    "https://host/x", "HTTPS://HOST/X", "http://host", "www.host.example/x", "WWW.HOST.EXAMPLE",
    "_www.host.example_", "*https://host/x*", "(https://host/x).", "«www.host.example»", "x@host.example",
    "mailto:x@host.example", "xmpp:x@host.example/r", "//host/x", "host.example", "sub.host.example/path",
    "a\u00a0https://host/x", "see:https://host", "h\ttps://host", "www\\.host\\.example",
    "<img src=//127.0.0.1:9/b.png>", "<a href=//host>x</a>", "<script>alert(1)</script>",
    "<!-- c -->", "<?php x ?>", "<div>\n\n![x](//host/b.png)\n\n</div>",
    "&lt;img src=//host&gt;", "&#91;x&#93;(//host)", "&#x21;[x](//host)",
    "` [x](//host) `", "`` ` `` https://host `", "` see https://host and `",
    "| a | https://host/x|y |\n|---|---|\n| b | [c](//host) |", "|x|\n|-|\n|`a|https://host/x`|",
    "[^1]\n\n[^1]: //host/x", "Text[^note]\n\n[^note]: see https://host",
    ":red[x](//host)", ":material/link: [x](//host)", "$x$ [x](//host)",
    "    [indented](//host)\n[x]: //host", "```\n[x](//host)\n```\n[y](//host)",
    "> [quoted](//host)", "- [list](//host)\n- ![img](//host)", "# [heading](//host)",
    "[x]:\t//host\n[x]", "[x]: //host\n\n[X]", "[ＦＵＬＬ]: //host\n[ＦＵＬＬ]",
]


@pytest.mark.parametrize("render", list(RENDERS))
@pytest.mark.parametrize("attack", ATTACKS)
def test_named_attacks_render_inert(attack, render):
    shown = RENDERS[render](attack)
    assert not live_parts(shown), (attack, shown, live_parts(shown))
    assert not live_parts(attack) or "`" in shown or "\\" in shown  # the attack was live before it was escaped


def test_the_attack_list_is_live_unescaped():
    """The cases above are real attacks: most render live when not escaped (else the test above proves nothing)."""
    live = [a for a in ATTACKS if live_parts(a)]
    assert len(live) >= 0.8 * len(ATTACKS), [a for a in ATTACKS if a not in live]


_FRAGMENTS = st.sampled_from([
    "[", "]", "(", ")", "<", ">", "!", "\\", "`", ":", "//", "/", ".", "@", "&", "#", ";", "\"", "'", "|", "-", "*",
    "_", "~", "^", "$", " ", "  ", "    ", "\t", "\n", "\n\n", "\u00a0", "\u200b", "。", "．", "［", "］",
    "http", "https", "://", "www", "www.", "mailto:", "xmpp:", "javascript:", "host", "example.com", "127.0.0.1:9",
    "beacon.png", "x", "p", "P", "ref", "title", "img", "a href=", "src=", "#91", "#x5B", "lt", "1.", "[p]: ",
    "![", "](", "][", "<http", "<//", "[^1]", ":red", ":material/link:",
])
_NOISE = st.lists(_FRAGMENTS | st.text(max_size=3), max_size=6).map("".join)
_DEST = st.sampled_from(["//127.0.0.1:9/beacon.png", "http://host/x", "https://host", "<//host/x>", "www.host.example",
                         "mailto:a@host.example", "host.example/x", "/local", "#anchor", "javascript:alert(1)"])
_LABEL = st.sampled_from(["x", "p", "Ref", "a b", "ＦＵＬＬ", "^1", ""])
_TITLE = st.sampled_from(["", ' "t"', " 't'", " (t)", "\n  \"t\""])
# whole constructs (so most generated texts hold a link or an image that would be live unescaped), with noise around
_CONSTRUCT = st.one_of(
    st.builds("{}[{}]({}{}){}".format, _NOISE, _LABEL, _DEST, _TITLE, _NOISE),
    st.builds("{}![{}]({}){}".format, _NOISE, _LABEL, _DEST, _NOISE),
    st.builds(lambda n, bang, label, dest, title, m: f"{n}{bang}[{label}][{label.lower()}]{m}\n\n[{label}]: {dest}{title}",
              _NOISE, st.sampled_from(["", "!"]), _LABEL.filter(bool), _DEST, _TITLE, _NOISE),
    st.builds(lambda n, label, dest: f"{n}[{label}]\n\n[{label}]:\n{dest}", _NOISE, _LABEL.filter(bool), _DEST),
    st.builds("{}<{}>{}".format, _NOISE, _DEST, _NOISE),
    st.builds("{} {} {}".format, _NOISE, _DEST, _NOISE),
    st.builds("{}<img src={}>{}".format, _NOISE, _DEST, _NOISE),
)
TEXTS = st.lists(_CONSTRUCT | _FRAGMENTS | st.text(max_size=3), max_size=12).map("".join)


@settings(max_examples=150, deadline=None)
@given(TEXTS)
def test_generated_link_syntax_never_renders_live(text):
    for name, render in RENDERS.items():
        shown = render(text)
        assert not live_parts(shown), (name, text, shown, live_parts(shown))


@settings(max_examples=100, deadline=None)
@given(TEXTS)
def test_escaped_text_reads_as_written(text):
    """Escaping hides nothing: with the escapes and code marks taken away, the reader sees the text."""
    import re

    from markdown_it import MarkdownIt

    shown = escape_markdown(text)
    html = MarkdownIt("commonmark").renderInline(shown)
    seen = re.sub(r"</?code>|<br />", "", html)  # code marks, and the line break two spaces make
    written = text.replace("\x00", "\ufffd").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    squash = lambda s: re.sub(r"\s+", " ", s).strip()  # noqa: E731 - lines and spaces fold in Markdown
    assert squash(seen) == squash(written)


def test_keep_formatting_keeps_lists_tables_and_emphasis():
    text = "Results:\n\n- **41 days** to *12*\n- see www.acme.example\n\n| plan | price |\n|---|---|\n| Pro | $49 |"
    shown = neutralise(text, keep_formatting=True)
    assert "- **41 days** to *12*" in shown and "| plan | price |" in shown and "\\$49" in shown
    assert "`www.acme.example`" in shown and not live_parts(shown)


# --- CSV cells no spreadsheet runs (issue 21, point 8) ---

FORMULAS = ["=HYPERLINK(\"http://evil\",\"x\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "\n=1",
            "＝HYPERLINK(1)", "＋1", "－1", "＠SUM(1)", "﹦1", "\u2212 1", " =1", "\u00a0=1", "\u3000＝1"]


@pytest.mark.parametrize("value", FORMULAS)
def test_a_formula_cell_is_text(value):
    cell = spreadsheet_cell(value)
    assert cell == "'" + value


def test_ordinary_cells_are_unchanged():
    for value in ("2026-12-01 08:00 UTC", "Northwind cut onboarding", "acme-case-study.md", "", "#AcmeCo", "'quoted"):
        assert spreadsheet_cell(value) == value
    assert spreadsheet_cell(None) == "" and spreadsheet_cell(12) == "12"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.text(alphabet=st.sampled_from("=+-@\t\r\n ＝＋－＠﹦\u2212a1\",;'"), max_size=8), min_size=1,
                         max_size=4), min_size=1, max_size=5))
def test_no_csv_cell_starts_a_formula(rows):
    back = list(csv.reader(io.StringIO(csv_text(rows), newline="")))
    assert len(back) == len(rows)
    for row, original in zip(back, rows):
        assert [c[1:] if c != o else c for c, o in zip(row, original)] == original  # nothing else changed
        for cell in row:
            first = cell.lstrip(" ")[:1]
            assert not first or first not in "=+-@\t\r\n＝＋－＠﹦\u2212", (cell, row)


@pytest.mark.parametrize("text", ["~/.config/grounded/secret.key", r"C:\Users\ana\grounded\secret.key",
                                  "/srv/a`b``c/secret.key", "`starts with a tick", "*not* [a](link) www.x.com"])
def test_a_code_span_shows_the_text_exactly(text):
    from rag.present import code_span
    from tests.markdown_check import shown_text

    assert shown_text(code_span(text)) == text
    assert live_parts(code_span(text)) == []


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40))
@settings(max_examples=200, deadline=None)
def test_any_path_in_a_code_span_is_shown_as_it_is(text):
    from rag.present import code_span
    from tests.markdown_check import shown_text

    assert shown_text(code_span(text)) == " ".join(text.splitlines()) or text.strip() == ""


def test_a_path_under_home_is_written_with_a_tilde():
    from pathlib import Path

    from rag.present import home_path

    assert home_path(Path.home() / ".config" / "grounded" / "secret.key") == "~/.config/grounded/secret.key"
    assert home_path("~/.config/grounded/secret.key") == "~/.config/grounded/secret.key"
    assert home_path("/etc/grounded/secret.key") == "/etc/grounded/secret.key"


def test_the_queue_table_keeps_what_is_being_read_and_next_and_counts_the_rest():
    from types import SimpleNamespace as Job

    from rag.present import queue_table

    jobs = ([Job(name=f"done-{i}.pdf", status="indexed", chunks=4, error=None) for i in range(20)]
            + [Job(name="now_reading [v2].pdf", status="indexing", chunks=0, error=None)]
            + [Job(name=f"next-{i}.pdf", status="queued", chunks=0, error=None) for i in range(30)])
    rows, more = queue_table(jobs, limit=5)
    assert [r["Document"] for r in rows] == ["now\\_reading \\[v2\\]\\.pdf"] + [f"next\\-{i}\\.pdf" for i in range(4)]
    assert more == "Showing 5 of 51: 26 more waiting and 20 more done."
    rows, more = queue_table(jobs[:3], limit=5)  # short queues are listed whole, in the order queued
    assert [r["Passages"] for r in rows] == ["4", "4", "4"] and more == ""
    rows, more = queue_table(jobs[:21], limit=3)  # the latest done fill what is left
    assert [r["Document"] for r in rows] == ["done\\-18\\.pdf", "done\\-19\\.pdf", "now\\_reading \\[v2\\]\\.pdf"]
    assert more == "Showing 3 of 21: 18 more done."


def test_a_markdown_table_keeps_each_cell_in_its_column():
    from rag.present import markdown_table, neutralise

    table = markdown_table([{"Document": neutralise("a|b.pdf"), "Note": neutralise("see https://x.example/a|b\nnext line")}])
    header, rule, row = table.splitlines()
    assert header == "| Document | Note |" and rule == "|---|---|"
    assert len(re.split(r"(?<!\\)\|", row)) == 4, row  # two cells, whatever the pipes inside them
    assert markdown_table([]) == ""
