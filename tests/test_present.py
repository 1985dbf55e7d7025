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
    from rag.present import passage_markdown, safe_answer_markdown, safe_stream_piece

    planted = "Reset your account at https://evil.example/phish now, or write to help@evil.example."
    for render in (escape_markdown, safe_answer_markdown, passage_markdown,
                   lambda t: highlighted_markdown(t, "reset account evil phish")):
        shown = render(planted)
        assert "`https://evil.example/phish`" in shown and "`help@evil.example`" in shown, shown
        assert shown.count("https://") == 1  # only inside the code span
    linked = safe_answer_markdown("See [our docs](https://evil.example/x) and www.evil.example.")
    assert "our docs (link to `https://evil.example/x`)" in linked and "`www.evil.example`." in linked
    assert safe_stream_piece(":red[boo] [x](y)") == "\\:red\\[boo\\] \\[x\\]\\(y\\)"
