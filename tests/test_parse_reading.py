"""Reading fixes of issue 22: e-mail headers as metadata, transcripts by speaker, PPTX bullets as lists,
lists with the sentence that introduces them, site furniture left out, help pages from a site, highlights.

Every fixture is made here, in several layouts per format.
"""

from __future__ import annotations

from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime

import pytest

from rag.answer.quote import units_of
from rag.ingest.chunk import chunk_document
from rag.ingest.kinds import guess
from rag.parse import parse_file
from rag.parse.web import parse_html_text
from rag.present import coloured_markdown, highlight_spans, highlighted_markdown
from rag.types import ChunkSettings, Hit

SENT = datetime(2026, 3, 3, 9, 30, tzinfo=timezone.utc)


def _texts(parsed) -> list[str]:
    return [e.text for e in parsed.elements]


def _passages(parsed) -> list[str]:
    return [c.text for c in chunk_document(parsed, ChunkSettings(), "d1", "v1")]


# --- e-mail -------------------------------------------------------------------------------------------------


def _mail(tmp_path, body: str, html: str | None = None, subject: str = "Re: Summer webinar: date and place"):
    message = EmailMessage()
    message["From"] = "Dana Reyes <dana@acme.example>"
    message["To"] = "team@acme.example"
    message["Date"] = format_datetime(SENT)
    message["Subject"] = subject
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    path = tmp_path / "mail.eml"
    path.write_bytes(bytes(message))
    return path


def _no_headers(parsed) -> None:
    for text in _texts(parsed) + _passages(parsed):
        assert "dana@acme.example" not in text and "From:" not in text and "Date:" not in text, text


def test_mail_headers_are_metadata_never_passage_text(tmp_path):
    body = "Hi all,\n\nThe summer webinar is on 12 June at 4 pm CET, online on Zoom.\n\nDana"
    parsed = parse_file(_mail(tmp_path, body))
    assert parsed.title == "Summer webinar: date and place"
    assert parsed.author == "Dana Reyes <dana@acme.example>" and parsed.modified == SENT.timestamp()
    _no_headers(parsed)
    assert any("12 June at 4 pm CET" in t for t in _texts(parsed))


def test_a_reply_leaves_out_the_quoted_message_and_the_signature(tmp_path):
    body = ("The webinar moves to 19 June, same time.\n\n-- \nDana Reyes | Head of Marketing | +1 555 0100\n\n"
            "On Mon, 2 Mar 2026 at 10:00, Sam Lee <sam@acme.example> wrote:\n> Is the webinar still on 12 June?\n")
    parsed = parse_file(_mail(tmp_path, body))
    text = " ".join(_texts(parsed))
    assert "19 June" in text
    assert "Is the webinar still on 12 June" not in text and "Head of Marketing" not in text and "wrote:" not in text
    _no_headers(parsed)


def test_an_outlook_reply_and_a_forward(tmp_path):
    outlook = ("Confirmed: the venue is the Harbour Hall, Rotterdam.\n\nSent from my iPhone\n\n"
               "-----Original Message-----\nFrom: Sam Lee\nSent: Monday\nSubject: venue?\n\nWhere is it?\n")
    parsed = parse_file(_mail(tmp_path, outlook))
    text = " ".join(_texts(parsed))
    assert "Harbour Hall" in text and "Where is it?" not in text and "iPhone" not in text
    forward = ("FYI below.\n\n---------- Forwarded message ---------\nFrom: Events <events@venue.example>\n"
               "Date: Fri, 27 Feb 2026\nSubject: Booking\nTo: Dana\n\nYour booking for 12 June is confirmed.\n")
    parsed = parse_file(_mail(tmp_path, forward, subject="Fwd: Booking"))
    text = " ".join(_texts(parsed))
    assert "Your booking for 12 June is confirmed." in text and "events@venue.example" not in text
    assert parsed.title == "Booking"


def test_an_html_newsletter_without_its_quoted_history(tmp_path):
    html = ("<html><body><h1>March newsletter</h1><p>Our spring launch event is on 3 April in Berlin.</p>"
            "<div class='gmail_signature'>Dana Reyes, Acme</div>"
            "<div class='gmail_quote'><div class='gmail_attr'>On Mon, Sam wrote:</div>"
            "<blockquote>Old draft: event on 1 April</blockquote></div></body></html>")
    message = EmailMessage()
    message["From"], message["Subject"], message["Date"] = "news@acme.example", "March newsletter", format_datetime(SENT)
    message.set_content(html, subtype="html")
    path = tmp_path / "news.eml"
    path.write_bytes(bytes(message))
    parsed = parse_file(path)
    text = " ".join(_texts(parsed))
    assert "3 April in Berlin" in text and "1 April" not in text and "Dana Reyes" not in text
    assert "news@acme.example" not in text


# --- transcripts --------------------------------------------------------------------------------------------

VTT = """WEBVTT

1
00:00:01.000 --> 00:00:04.000
<v Dana Reyes>Welcome to the spring webinar.</v>

2
00:00:04.500 --> 00:00:09.000
<v Dana Reyes>Today we look at onboarding.</v>

3
00:00:09.500 --> 00:00:15.000
<v Sam Lee>Northwind cut onboarding from 41 days to 12 days.</v>

4
00:00:15.500 --> 00:00:18.000
<v Dana Reyes>That is a big change.</v>
"""

SRT = """1
00:00:01,000 --> 00:00:04,000
DANA: Welcome to the spring webinar.

2
00:00:04,500 --> 00:00:09,000
SAM: Northwind cut onboarding from 41 days to 12 days.

3
00:00:09,500 --> 00:00:12,000
and it took one quarter.

4
00:00:12,500 --> 00:00:15,000
DANA: Thank you, Sam.
"""

COLON_TXT = """Spring webinar transcript

Dana Reyes: Welcome to the spring webinar.
Today we look at onboarding.
Sam Lee: Northwind cut onboarding from 41 days to 12 days.
Dana Reyes: That is a big change.
Sam Lee: It took one quarter.
"""

TIMED_TXT = """Spring webinar transcript

Dana Reyes  00:00:01
Welcome to the spring webinar. Today we look at onboarding.

Sam Lee  00:00:09
Northwind cut onboarding from 41 days to 12 days.

Dana Reyes  00:00:15
That is a big change.
"""


@pytest.mark.parametrize("name,content,sam", [
    ("webinar.vtt", VTT, "Sam Lee"),
    ("webinar.srt", SRT, "SAM"),
    ("webinar.txt", COLON_TXT, "Sam Lee"),
    ("webinar-timed.txt", TIMED_TXT, "Sam Lee"),
])
def test_a_transcript_s_speakers_travel_with_their_turns(tmp_path, name, content, sam):
    path = tmp_path / name
    path.write_text(content)
    parsed = parse_file(path)
    turns = [e for e in parsed.elements if e.kind != "title"]
    assert len(turns) >= 3
    speakers = {sam, "Dana Reyes", "DANA"}
    for e in turns:
        assert e.text.split(":", 1)[0] in speakers, e.text
    said = next(e.text for e in turns if "41 days" in e.text)
    assert said.startswith(f"{sam}: Northwind cut onboarding")
    for passage in _passages(parsed):
        assert passage.split(":", 1)[0] in speakers, passage
    assert not any("-->" in t or t.strip().isdigit() for t in _texts(parsed))


def test_a_long_turn_is_cut_with_its_speaker_on_each_part(tmp_path):
    long = " ".join(f"Point {n} is that onboarding got faster for customer {n}." for n in range(80))
    path = tmp_path / "call.txt"
    path.write_text(f"Dana: Hello.\nSam: {long}\nDana: Thanks.\nSam: Bye.\n")
    parts = [e.text for e in parse_file(path).elements if "Point" in e.text]
    assert len(parts) > 1 and all(p.startswith("Sam: ") for p in parts)


def test_lines_with_labels_are_not_a_transcript(tmp_path):
    path = tmp_path / "event.txt"
    path.write_text("Summer event\n\nDate: 12 June\nLocation: Harbour Hall\nPrice: free\nNote: bring a laptop\n")
    parsed = parse_file(path)
    assert any("Date: 12 June" in t and "Location: Harbour Hall" in t for t in _texts(parsed))


# --- PowerPoint ---------------------------------------------------------------------------------------------


def _deck(tmp_path, explicit_bullets: bool):
    from pptx import Presentation

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])  # "Title and Content": bullets come from the layout
    slide.shapes.title.text = "Why teams choose Acme"
    body = slide.placeholders[1].text_frame
    items = ["SOC 2 Type II", "ISO 27001", "GDPR ready", "Single sign-on"]
    body.text = items[0]
    for item in items[1:]:
        body.add_paragraph().text = item
    if explicit_bullets:
        from pptx.oxml.ns import qn

        for p in body.paragraphs:
            p._p.get_or_add_pPr().insert(0, p._p.makeelement(qn("a:buChar"), {"char": "•"}))
    second = deck.slides.add_slide(deck.slide_layouts[1])
    second.shapes.title.text = "Pricing"
    second.placeholders[1].text_frame.text = "Team plan: $49 per month"
    path = tmp_path / "deck.pptx"
    deck.save(path)
    return path, items


@pytest.mark.parametrize("explicit_bullets", [False, True])
def test_slide_bullets_stay_list_items_under_the_slide_title(tmp_path, explicit_bullets):
    path, items = _deck(tmp_path, explicit_bullets)
    parsed = parse_file(path)
    headings = [e.text for e in parsed.elements if e.kind == "title"]
    assert headings == ["Why teams choose Acme", "Pricing"]
    lists = [e for e in parsed.elements if e.kind == "list" and e.page == 1]
    assert len(lists) == 1 and lists[0].heading_path == ("Why teams choose Acme",)
    assert [e.text for e in parsed.elements if e.page == 2 and e.kind != "title"] == ["- Team plan: $49 per month"]
    assert lists[0].text.splitlines() == [f"- {i}" for i in items]
    chunks = chunk_document(parsed, ChunkSettings(), "d1", "v1")
    first = next(c for c in chunks if "ISO 27001" in c.text)
    assert all(i in first.text for i in items)  # one passage, not one per bullet
    hit = Hit("c", "d1", "deck.pptx", first.text, 1.0, section=first.section)
    assert any(u.kind == "list" and "GDPR ready" in u.text for u in units_of(hit, 1))


# --- lists with their introduction --------------------------------------------------------------------------


def test_a_list_is_one_element_with_the_line_that_introduces_it():
    page = ("<html><body><main><h1>Security</h1><p>Acme holds the following certifications:</p>"
            "<ul><li>SOC 2 Type II</li><li>ISO 27001</li><li>Cyber Essentials Plus</li></ul>"
            "<p>We review them every year, and publish the reports on request to customers.</p></main></body></html>")
    parsed = parse_html_text(page, "security.html", main_content_only=False)
    lists = [e.text for e in parsed.elements if e.kind == "list"]
    assert lists == ["Acme holds the following certifications:\n- SOC 2 Type II\n- ISO 27001\n- Cyber Essentials Plus"]
    hit = Hit("c", "d", "security.html", _passages(parsed)[0], 1.0, section="Security")
    listed = [u for u in units_of(hit, 1) if u.kind == "list"]
    assert listed and listed[0].context == "Acme holds the following certifications:" and "ISO 27001" in listed[0].text


def test_word_list_items_make_one_list(tmp_path):
    import docx

    document = docx.Document()
    document.add_heading("Integrations", level=1)
    document.add_paragraph("Payroll integrations are available for:")
    for name in ("Gusto", "ADP", "Xero Payroll", "Sage Payroll"):
        document.add_paragraph(name, style="List Bullet")
    document.save(tmp_path / "integrations.docx")
    lists = [e.text for e in parse_file(tmp_path / "integrations.docx").elements if e.kind == "list"]
    assert len(lists) == 1 and all(n in lists[0] for n in ("Gusto", "ADP", "Xero Payroll", "Sage Payroll"))
    assert lists[0].startswith("Payroll integrations are available for:")


# --- site furniture -----------------------------------------------------------------------------------------

ARTICLE = ("<p>Your data is stored in the EU, in data centres in Frankfurt and Dublin, and never leaves them.</p>"
           "<p>Backups are encrypted and kept for 30 days in the same region as your account.</p>")
RELATED = ["How do I export my data?", "Deleting your account", "Security overview"]


def _links(items) -> str:
    return "".join(f"<li><a href='/a/{n}'>{t}</a></li>" for n, t in enumerate(items))


LAYOUTS = {
    "zendesk": (f"<nav aria-label='Breadcrumb'><ol class='breadcrumbs'>{_links(['Help Center', 'Security'])}</ol></nav>"
                f"<article><h1>Where is my data stored?</h1><div class='article-body'>{ARTICLE}</div>"
                "<div class='article-votes'><span>Was this article helpful?</span><button>Yes</button><button>No</button>"
                "<small>12 out of 14 found this helpful</small></div>"
                f"<section class='related-articles'><h3>Related articles</h3><ul>{_links(RELATED)}</ul></section>"
                f"<section class='recent-articles'><h3>Recently viewed articles</h3><ul>{_links(RELATED)}</ul></section>"
                "</article>"),
    "intercom": (f"<div class='header'><a href='/'>All collections</a> &gt; <a href='/c'>Security</a></div>"
                 f"<h1>Where is my data stored?</h1>{ARTICLE}"
                 "<div class='intercom-reaction-picker'><h4>Did this answer your question?</h4><span>😞</span><span>😃</span></div>"
                 f"<h2>Related Articles</h2><ul>{_links(RELATED)}</ul>"),
    "helpscout": (f"<div id='main-content'><h1>Where is my data stored?</h1>{ARTICLE}"
                  "<section class='articleFoot'><p>Still need help? <a href='/contact'>Contact Us</a></p></section>"
                  f"<section id='related'><h3>Related Articles</h3><ul>{_links(RELATED)}</ul></section></div>"),
    "freshdesk": (f"<h2>Where is my data stored?</h2>{ARTICLE}"
                  "<div class='article-vote'><p>Did you find it helpful?</p><a>Yes</a><a>No</a></div>"
                  f"<div class='cs-g'><h3>Popular articles</h3><ul>{_links(RELATED)}</ul></div>"),
    "wordpress": (f"<article><h1>Where is my data stored?</h1><div class='entry-content'>{ARTICLE}</div>"
                  "<div class='sharedaddy'><h3>Share this:</h3><ul><li><a>Twitter</a></li><li><a>Facebook</a></li></ul></div>"
                  f"<div id='jp-relatedposts'><h3>Related posts</h3>{_links(RELATED)}</div></article>"),
    "spanish": (f"<h1>¿Dónde se guardan mis datos?</h1>{ARTICLE}<h3>¿Te ha resultado útil este artículo?</h3><p>Sí No</p>"
                f"<h3>Artículos relacionados</h3><ul>{_links(RELATED)}</ul>"),
    "german": (f"<h1>Wo werden meine Daten gespeichert?</h1>{ARTICLE}<h3>War dieser Artikel hilfreich?</h3><p>Ja Nein</p>"
               f"<h3>Ähnliche Artikel</h3><ul>{_links(RELATED)}</ul>"),
    "french": (f"<h1>Où sont stockées mes données ?</h1>{ARTICLE}<h3>Articles connexes</h3><ul>{_links(RELATED)}</ul>"
               "<p>Cet article vous a-t-il été utile ?</p>"),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_site_furniture_is_left_out_of_a_help_page(layout):
    page = f"<html><head><title>Where is my data stored?</title></head><body>{LAYOUTS[layout]}</body></html>"
    parsed = parse_html_text(page, f"{layout}.html")
    everything = " ".join(_texts(parsed)) + " " + " ".join(" > ".join(e.heading_path) for e in parsed.elements)
    assert "Frankfurt and Dublin" in everything and "kept for 30 days" in everything
    for furniture in (*RELATED, "helpful", "Related", "relacionados", "hilfreich", "connexes", "Popular", "Share this",
                      "Still need help", "answer your question", "Help Center > Security", "útil"):
        assert furniture.lower() not in everything.lower(), (layout, furniture, everything)


@pytest.mark.parametrize("layout", ["zendesk", "intercom", "spanish"])
def test_an_exported_article_leaves_out_the_same_furniture(tmp_path, layout):
    from rag.parse.exports import Article, article_html

    article = Article("Where is my data stored?", LAYOUTS[layout], url="https://acme.zendesk.com/hc/en-us/articles/1",
                      path=("Security",))
    path = tmp_path / "article.html"
    path.write_bytes(article_html(article))
    parsed = parse_file(path, "help.zip/security/where-is-my-data-stored.html")
    everything = " ".join(_texts(parsed)) + " " + " ".join(" > ".join(e.heading_path) for e in parsed.elements)
    assert "Frankfurt and Dublin" in everything
    assert not any(r in everything for r in RELATED) and "elated" not in everything and "útil" not in everything
    assert guess("help.zip/security/where-is-my-data-stored.html", everything).kind == "help center"


def test_a_section_about_contacting_support_is_content():
    page = ("<html><body><h1>How do I contact support?</h1><h2>Contact support by phone</h2>"
            "<p>Call +1 555 0100 on weekdays from 9 am to 5 pm; have your account number ready.</p>"
            f"<h2>Related articles</h2><ul>{_links(RELATED)}</ul></body></html>")
    text = " ".join(_texts(parse_html_text(page, "contact.html")))
    assert "Call +1 555 0100" in text and RELATED[0] not in text


def test_a_box_of_prose_is_kept_whatever_its_class():
    prose = " ".join(["Our related research shows onboarding fell from 41 to 12 days across all customers."] * 10)
    page = f"<html><body><h1>Study</h1><div class='related-research'><p>{prose}</p></div></body></html>"
    assert "onboarding fell" in " ".join(_texts(parse_html_text(page, "study.html")))


# --- kinds: help pages from a site --------------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "acme.zendesk.com/hc/en-us/articles/360001-where-is-my-data-stored.html",
    "intercom.help/acme/en/articles/4821-where-is-my-data-stored.html",
    "acme.helpscoutdocs.com/article/12-where-is-my-data-stored.html",
    "acme.freshdesk.com/support/solutions/articles/3000-where-is-my-data-stored.html",
    "www.acme.com/kb/where-is-my-data-stored.html",
    "help.acme.com/en/articles/4821-where-is-my-data-stored.html",
])
def test_help_pages_from_a_site_are_help_center(name):
    assert guess(name, "Your data is stored in the EU, in Frankfurt and Dublin.").kind == "help center"


@pytest.mark.parametrize("name,kind", [
    ("www.acme.com/blog/why-we-moved-to-the-eu.html", "blog"),
    ("www.acme.com/pricing.html", "other"),
])
def test_other_pages_from_a_site_are_not_help_center(name, kind):
    assert guess(name, "Your data is stored in the EU, in Frankfurt and Dublin.").kind == kind


# --- highlights in the page view ----------------------------------------------------------------------------


def test_a_highlight_never_spans_a_line_or_a_bracket():
    passage = "Founded in a year of growth\n- Unfilled seats are billed [year] by year"
    spans = highlight_spans(passage, "year growth unfilled")
    for text, hit in spans:
        if hit:
            assert "\n" not in text and "[" not in text and "]" not in text and not text.endswith(("-", " ")), spans
    assert "".join(t for t, _ in spans) == passage
    rendered = highlighted_markdown(passage, "year growth unfilled")
    for line in rendered.split("\n"):  # every directive opened on a line is closed on it
        assert line.count(":orange-background[") == line.count("]") - line.count("\\]"), line


def test_a_passage_on_a_colour_is_one_directive_per_line():
    rendered = coloured_markdown("Pricing [2026]\n- Team: $49\n\n- Scale: $199", "gray")
    lines = rendered.split("  \n")
    assert len(lines) == 3 and all(line.startswith(":gray[") and line.endswith("]") for line in lines)
    assert "\\[2026\\]" in lines[0]
