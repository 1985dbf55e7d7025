"""ZIP entries whose names collide are all kept, under distinct names."""

from __future__ import annotations

import io
import warnings
import zipfile

from rag.parse import iter_members, member_names
from rag.parse.archive import unique_names
from tests.fixtures import make_zip


def test_colliding_entries_are_all_kept_under_distinct_names(tmp_path):
    buf = io.BytesIO(make_zip({"guide/setup.txt": b"Install the agent first.", "guide\\setup.txt": b"Then sign in."}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about the repeated name we mean to write
        with zipfile.ZipFile(buf, "a") as zf:
            zf.writestr("guide/setup (2).txt", b"A file already named like a copy.")
            zf.writestr("notes.txt", b"First notes.")
            zf.writestr("notes.txt", b"Second notes.")
    path = tmp_path / "export.zip"
    path.write_bytes(buf.getvalue())
    members = list(iter_members(path, "export.zip"))
    assert members == [
        ("export.zip/guide/setup.txt", b"Install the agent first."),
        ("export.zip/guide/setup (3).txt", b"Then sign in."),
        ("export.zip/guide/setup (2).txt", b"A file already named like a copy."),
        ("export.zip/notes.txt", b"First notes."),
        ("export.zip/notes (2).txt", b"Second notes."),
    ]
    assert ["export.zip/" + n for n in member_names(buf.getvalue())] == [name for name, _ in members]


def test_unique_names_leaves_distinct_names_alone():
    assert unique_names(["a.txt", "b/a.txt", "README", "README"]) == ["a.txt", "b/a.txt", "README", "README (2)"]
