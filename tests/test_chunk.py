import pytest

from rag.index.embed import count_tokens
from rag.ingest.chunk import chunk_document, embedding_text, split
from rag.types import ChunkSettings, Element, ParsedDocument


def _doc():
    e = []
    e.append(Element("Case study: Northwind", "title", 1, ("Case study: Northwind",)))
    e.append(Element("Northwind cut onboarding from 41 days to 12 days.", "text", 1, ("Case study: Northwind",)))
    e.append(Element("Results", "title", 2, ("Case study: Northwind", "Results")))
    e.append(Element("Support tickets fell by a third. " * 3, "text", 2, ("Case study: Northwind", "Results")))
    rows = "\n".join(f"| Q{i} | {i * 10} |" for i in range(1, 80))
    e.append(Element("| Quarter | Tickets |\n| --- | --- |\n" + rows, "table", 2, ("Case study: Northwind", "Results")))
    e.append(Element("Pricing", "title", 3, ("Pricing",)))
    e.append(Element("Enterprise plans start at 900 dollars a month. " * 20, "text", 3, ("Pricing",)))
    return ParsedDocument(file="northwind.pdf", elements=e, pages=3, title="Case study: Northwind")


def test_by_title_never_spans_sections_and_keeps_heading_path():
    chunks = chunk_document(_doc(), ChunkSettings("by_title", 64, 8), "d1", "v1")
    assert chunks[0].heading_path == ("Case study: Northwind",)
    assert chunks[0].pages == [1]
    assert "41 days to 12 days" in chunks[0].text
    for c in chunks:
        # every chunk belongs to exactly one section
        assert c.heading_path in {("Case study: Northwind",), ("Case study: Northwind", "Results"), ("Pricing",)}
    assert embedding_text(chunks[0]).startswith("Case study: Northwind\n")
    # a title goes above the path unless the path already starts with it
    assert embedding_text(chunks[0], "case study: northwind") == embedding_text(chunks[0])
    assert embedding_text(chunks[0], "Northwind report").startswith("Northwind report > Case study: Northwind\n")


def test_by_title_splits_big_tables_by_rows_repeating_the_header():
    chunks = chunk_document(_doc(), ChunkSettings("by_title", 128, 0), "d1", "v1")
    tables = [c for c in chunks if c.text.startswith("| Quarter")]
    assert len(tables) > 1
    for t in tables:
        lines = t.text.splitlines()
        assert lines[0] == "| Quarter | Tickets |" and lines[1] == "| --- | --- |"
        assert all(line.startswith("| Q") for line in lines[2:])
        assert t.tokens <= 128
    all_rows = [line for t in tables for line in t.text.splitlines()[2:]]
    assert len(all_rows) == 79  # no row lost or duplicated


@pytest.mark.parametrize("strategy", ["recursive", "fixed"])
def test_token_strategies_respect_size_and_track_pages(strategy):
    settings = ChunkSettings(strategy, 50, 10)
    chunks = chunk_document(_doc(), settings, "d1", "v1")
    assert len(chunks) > 3
    assert max(c.tokens for c in chunks) <= 50
    assert chunks[0].pages[0] == 1 and chunks[-1].pages[-1] == 3
    assert chunks[-1].heading_path == ("Pricing",)
    assert all(c.settings == settings for c in chunks)


def test_fixed_windows_overlap():
    pieces = split(_doc(), ChunkSettings("fixed", 40, 10))
    first, second = pieces[0].text, pieces[1].text
    tail = first[-20:]
    assert tail.strip() and tail.strip() in second


def test_ids_are_deterministic_and_versioned():
    a = chunk_document(_doc(), ChunkSettings(), "d1", "v1")
    b = chunk_document(_doc(), ChunkSettings(), "d1", "v1")
    c = chunk_document(_doc(), ChunkSettings(), "d1", "v2")
    assert [x.chunk_id for x in a] == [x.chunk_id for x in b]
    assert not {x.chunk_id for x in a} & {x.chunk_id for x in c}
    assert a[0].content_hash == b[0].content_hash and len(a[0].content_hash) == 32


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        split(_doc(), ChunkSettings("sentences", 100, 0))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        split(_doc(), ChunkSettings("fixed", 4, 0))


def test_token_counts_match_tokenizer():
    chunks = chunk_document(_doc(), ChunkSettings("by_title", 256, 0), "d1", "v1")
    assert [c.tokens for c in chunks] == count_tokens([c.text for c in chunks])


def test_a_heading_with_nothing_under_it_is_kept():
    from rag.ingest.chunk import split
    from rag.types import Element, ParsedDocument

    elements = [
        Element("Case study", "title", 1, ("Case study",)),
        Element("Results", "title", 1, ("Case study", "Results")),
        Element("We grew.", "text", 1, ("Case study", "Results")),
        Element("Agenda for 2025", "title", 2, ("Agenda for 2025",)),
        Element("Thank you", "title", 3, ("Thank you",)),
    ]
    pieces = split(ParsedDocument("deck.pptx", elements), ChunkSettings())
    assert [(p.text, p.pages) for p in pieces] == [("We grew.", [1]), ("Agenda for 2025", [2]), ("Thank you", [3])]
