"""A LinkedIn posts export becomes one document per post, with the post's date on its chunks."""

from __future__ import annotations

from datetime import datetime, timezone

from rag.answer.retrieve import search
from rag.ingest.pipeline import ingest_bytes, ingest_paths, ingest_upload
from rag.marketing.voice import document_text
from rag.parse import linkedin
from tests.fixtures import make_zip
from tests.marketing_fixtures import POSTS, shares_csv


def _ts(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc).timestamp()


def test_reads_linkedin_quoting_and_skips_reposts_without_text():
    data = shares_csv(extra_rows=[["2024-07-01 10:00:00", "https://www.linkedin.com/feed/update/urn:li:share:9", "", "https://example.com", "", ""]])
    posts = linkedin.read_posts(data)
    assert len(posts) == len(POSTS)  # the repost with no commentary is not a post
    first = posts[0]
    assert first.text == "\n".join(POSTS[0][1])  # line breaks and blank lines kept, the export's quotes gone
    assert first.date == datetime(2024, 1, 15, 9, 12, tzinfo=timezone.utc)
    assert first.link.endswith("share:7100001")
    assert "Real “numbers”." in posts[-1].text


def test_plain_quoted_cells_and_other_exporters_columns():
    csv_text = 'Post text,Date posted,Post URL,Likes\n"Hello ""world""\nsecond line",03/05/2024,https://x/1,4\n'
    data = csv_text.encode()
    assert linkedin.is_posts_csv("my-linkedin-posts.csv", data)
    (post,) = linkedin.read_posts(data)
    assert post.text == 'Hello "world"\nsecond line' and post.date == datetime(2024, 3, 5, tzinfo=timezone.utc)
    assert post.link == "https://x/1"


def test_only_posts_exports_are_expanded():
    assert linkedin.is_posts_csv("Shares.csv", shares_csv())
    assert linkedin.is_posts_csv("export/anything.csv", shares_csv())  # LinkedIn's own column names are enough
    assert not linkedin.is_posts_csv("Comments.csv", b"Date,Link,Message\n2024-01-01 10:00:00,https://x,Nice post\n")
    assert not linkedin.is_posts_csv("table.csv", b"Customer,Days\nNorthwind,12\n")
    assert not linkedin.is_posts_csv("Shares.txt", shares_csv())


def test_post_document_round_trips():
    post = linkedin.read_posts(shares_csv())[2]
    meta, body = linkedin.split_post(linkedin.post_document(post).decode())
    assert body == post.text and meta.date == post.date and meta.link == post.link
    assert linkedin.split_post("# Just a heading\n\ntext") == (None, "# Just a heading\n\ntext")


def test_export_becomes_one_document_per_post_dated_by_the_post(store, tmp_path):
    (tmp_path / "Shares.csv").write_bytes(shares_csv())
    report = ingest_paths(store, [tmp_path / "Shares.csv"])
    assert report.count("indexed") == len(POSTS), report.as_dict()
    rows = store.catalog.documents("default")
    assert len(rows) == len(POSTS)
    assert all(r.kind == "LinkedIn post" and r.file.startswith("Shares.csv/") for r in rows)
    by_day = {r.file.split("/")[1][:10]: r for r in rows}
    row = by_day["2024-03-05"]
    assert row.file == "Shares.csv/2024-03-05 We shipped something big today. 🎉.txt"
    # the chunks carry the post's date and kind (date filters and kind filters work on posts)
    payloads = [p for _, p in store.index.all_chunks("default", ["file", "date", "kind"])]
    dates = {p["file"]: p["date"] for p in payloads}
    assert dates[row.file] == _ts("2024-03-05 14:02:11")
    assert {p["kind"] for p in payloads} == {"LinkedIn post"}
    # the voice profile reads the post as written, without the stored header
    assert document_text(store, row) == "\n".join(POSTS[2][1])

    again = ingest_paths(store, [tmp_path / "Shares.csv"])
    assert again.count("unchanged") == len(POSTS)


def test_export_inside_a_zip_is_expanded_too(store, tmp_path):
    archive = make_zip({"Basic_LinkedInDataExport/Shares.csv": shares_csv(POSTS[:2]), "Basic_LinkedInDataExport/notes.md": b"# Notes\n\nHello there."})
    (tmp_path / "export.zip").write_bytes(archive)
    report = ingest_paths(store, [tmp_path / "export.zip"])
    names = sorted(f.path for f in report.files)
    assert len(names) == 3 and sum("/Shares.csv/" in n for n in names) == 2
    notes = next(f for f in report.files if f.path.endswith("notes.md"))
    assert notes.status == "skipped"  # the archive names itself a LinkedIn data export


def test_private_parts_of_a_full_linkedin_archive_are_not_indexed(store):
    """Messages, contacts and e-mail addresses in the data export never become citable passages."""
    archive = make_zip({
        "Shares.csv": shares_csv(POSTS[:2]),
        "Articles/Articles/Why onboarding matters.html": b"<html><body><h1>Why onboarding matters</h1>"
        b"<p>Onboarding is where customers decide to stay.</p></body></html>",
        "messages.csv": b"CONVERSATION ID,FROM,TO,DATE,CONTENT\n1,Dana,Lee,2024-01-02,Our secret discount code is ZEBRA-42\n",
        "Connections.csv": b"First Name,Last Name,Email Address,Company\nLee,Park,lee@example.com,Acme\n",
        "Email Addresses.csv": b"Email Address,Confirmed,Primary\nme@example.com,Yes,Yes\n",
    })
    results = {r.path: r for r in ingest_upload(store, "my-data.zip", archive)}
    statuses = {name.split("/", 1)[1].split("/")[0]: r.status for name, r in results.items()}
    assert statuses == {"Shares.csv": "indexed", "Articles": "indexed", "messages.csv": "skipped",
                        "Connections.csv": "skipped", "Email Addresses.csv": "skipped"}
    assert "private data stays out of answers" in results["my-data.zip/messages.csv"].error
    assert not any("ZEBRA" in h.text or "lee@example.com" in h.text for h in search(store, "secret discount code email", "default", k=20, user=None))
    # an ordinary ZIP with a CSV called messages.csv is not a LinkedIn export: nothing is held back
    (other,) = ingest_upload(store, "support.zip", make_zip({"messages.csv": b"Macro,Reply\nrefund,We refund in 5 days\n"}))
    assert other.status == "indexed"


def test_an_uploaded_export_is_expanded_and_other_files_pass_through(store):
    results = ingest_upload(store, "Shares.csv", shares_csv(POSTS[:3]))
    assert [r.status for r in results] == ["indexed"] * 3
    assert all(store.catalog.get(r.doc_id).kind == "LinkedIn post" for r in results)
    (single,) = ingest_upload(store, "table.csv", b"Customer,Days\nNorthwind,12\n")
    assert single.status == "indexed"
    (empty,) = ingest_upload(store, "Shares.csv", shares_csv([]))
    assert empty.status == "failed" and "no posts" in empty.error


def test_same_day_posts_that_start_alike_get_distinct_names():
    posts = [("2024-01-01 09:00:00", ["Big news today.", "One"]), ("2024-01-01 15:30:00", ["Big news today.", "Two"])]
    names = [n for n, _ in linkedin.post_sources("Shares.csv", shares_csv(posts))]
    assert len(set(names)) == 2 and names[1] == "Shares.csv/2024-01-01 Big news today 1530 (2).txt"


def test_a_single_post_ingested_directly_keeps_its_date(store):
    post = linkedin.read_posts(shares_csv())[0]
    result = ingest_bytes(store, linkedin.post_name("Shares.csv", post), linkedin.post_document(post))
    hits = store.index.chunks_of("default", result.doc_id)
    assert hits and store.catalog.get(result.doc_id).kind == "LinkedIn post"
