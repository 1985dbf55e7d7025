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
