"""ZIP archives (a help-center export is usually a ZIP of HTML pages).

Members are read into memory one at a time, never extracted to disk, and
checked against limits first: entry count, total uncompressed size,
compression ratio (zip bombs), unsafe paths and nested archives.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from ..errors import BrokenFile, EncryptedFile, FileTooLarge, GroundedError, UnsupportedFile
from ..settings import Limits

MB = 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, for members over 1 MB


def is_archive(path: Path) -> bool:
    return path.suffix.lower() == ".zip"


def too_many_entries(limits: Limits) -> FileTooLarge:
    return FileTooLarge(
        f"This upload holds more than {limits.max_zip_entries:,} documents; the limit for one upload is "
        f"{limits.max_zip_entries:,}. Split it into smaller uploads, or raise the limit with the setting "
        "GROUNDED_MAX_ZIP_ENTRIES."
    )


def too_many_bytes(limits: Limits) -> FileTooLarge:
    return FileTooLarge(
        f"This upload's documents come to more than {limits.max_zip_total_mb:,} MB; the limit for one upload is "
        f"{limits.max_zip_total_mb:,} MB. Split it into smaller uploads, or raise the limit with the setting "
        "GROUNDED_MAX_ZIP_MB."
    )


def _member_problem(info: zipfile.ZipInfo, supported: frozenset[str], max_bytes: int) -> GroundedError | None:
    name = info.filename
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
        return BrokenFile("This entry's path points outside the archive; it was not read.")
    suffix = PurePosixPath(name).suffix.lower()
    if suffix == ".zip":
        return UnsupportedFile("ZIP files inside a ZIP aren't opened; upload the inner archive on its own.")
    if suffix not in supported:
        from . import unsupported_reason

        return UnsupportedFile(unsupported_reason(name))
    if info.flag_bits & 0x1:
        return EncryptedFile("This entry is password-protected.")
    if info.file_size > max_bytes:
        return FileTooLarge(f"This entry is larger than the {max_bytes // MB} MB limit for one file.")
    if info.file_size > 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        return FileTooLarge("This entry expands more than 100-fold (it looks like a zip bomb); it was not read.")
    return None


def unique_names(names: list[str]) -> list[str]:
    """Entry names made distinct, so that no document of an archive replaces another.

    ``guide\\setup.txt`` and ``guide/setup.txt`` are one name once Windows
    separators are read as folders, and a ZIP may hold the same name twice
    (files appended to it). Both entries are kept: the later one gets a number,
    ``guide/setup (2).txt``, the way a file manager names a second copy.
    """
    normalised = [name.replace("\\", "/") for name in names]
    taken = set(normalised)
    seen: set[str] = set()
    out = []
    for name in normalised:
        if name in seen:
            path = PurePosixPath(name)
            n = 2
            while (candidate := str(path.with_name(f"{path.stem} ({n}){path.suffix}"))) in taken:
                n += 1
            taken.add(candidate)
            name = candidate
        seen.add(name)
        out.append(name)
    return out


# What an operating system leaves in a folder it zips, never a person's document: the Finder's
# folder settings and resource forks ("._name", "__MACOSX/"), Windows' thumbnails and folder settings.
OS_JUNK = frozenset({".ds_store", "thumbs.db", "ehthumbs.db", "desktop.ini", ".localized"})


def is_os_junk(name: str) -> bool:
    """True for a file the system made, not the person (``__MACOSX/``, ``.DS_Store``, ``Thumbs.db``, ``._x``).

    Any other name starting with "." is a person's file (a Notion page titled ".env setup", say): it is
    kept, or reported with the reason it isn't read, never dropped unseen.
    """
    path = PurePosixPath(name)
    return (name.startswith("__MACOSX/") or "__MACOSX" in path.parts[:-1] or path.name.lower() in OS_JUNK
            or path.name.startswith("._"))


def _entries(zf: zipfile.ZipFile) -> list[tuple[zipfile.ZipInfo, str]]:
    """The archive's files (not folders or what the system left in them), each with its unique name."""
    infos = [i for i in zf.infolist() if not i.is_dir()]
    named = zip(infos, unique_names([i.filename for i in infos]))
    return [(i, n) for i, n in named if not is_os_junk(n)]


def member_names(data: bytes) -> list[str]:
    """The names of the files in a ZIP, as :func:`iter_members` gives them, without reading them ([] if damaged)."""
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return [name for _, name in _entries(zf)]
    except (zipfile.BadZipFile, OSError, ValueError):
        return []


def member_sizes(data: bytes, supported: frozenset[str], limits: Limits | None = None) -> list[tuple[str, int]]:
    """(name, uncompressed size) of each entry :func:`iter_members` would read, from the central directory alone.

    Nothing is decompressed, so the whole archive's work can be judged before
    any entry is read ([] if the archive is damaged).
    """
    import io

    max_member = (limits or Limits()).max_file_mb * MB
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return [(name, info.file_size) for info, name in _entries(zf) if _member_problem(info, supported, max_member) is None]
    except (zipfile.BadZipFile, OSError, ValueError):
        return []


def iter_members(
    path: Path, display: str, supported: frozenset[str], limits: Limits | None = None
) -> Iterator[tuple[str, bytes | GroundedError]]:
    """(name, bytes or the reason it is skipped) for each file in the archive, named ``display/inner/path``.

    ``limits`` (the settings' input limits) caps the entry count, the total
    uncompressed size and each entry's size.
    """
    limits = limits or Limits()
    max_member = limits.max_file_mb * MB
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as err:
        raise BrokenFile("This ZIP archive is damaged or isn't really a ZIP file.") from err
    with zf:
        entries = _entries(zf)
        infos = [info for info, _ in entries]
        if len(infos) > limits.max_zip_entries:
            raise FileTooLarge(
                f"This archive has {len(infos)} files; the limit is {limits.max_zip_entries}. Split it into smaller ZIPs."
            )
        if sum(i.file_size for i in infos) > limits.max_zip_total_mb * MB:
            raise FileTooLarge(f"This archive expands to more than {limits.max_zip_total_mb} MB; split it into smaller ZIPs.")
        if not infos:
            raise UnsupportedFile("This archive contains no files.")
        for info, inner in entries:
            name = f"{display}/{inner}"
            problem = _member_problem(info, supported, max_member)
            if problem is not None:
                yield name, problem
                continue
            try:
                with zf.open(info) as fh:
                    data = fh.read(max_member + 1)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as err:
                yield name, BrokenFile(f"This entry is damaged and couldn't be read ({type(err).__name__}).")
                continue
            except RuntimeError as err:  # zipfile raises RuntimeError for encrypted members
                yield name, EncryptedFile("This entry is password-protected.") if "encrypted" in str(err) else BrokenFile(
                    "This entry couldn't be read."
                )
                continue
            yield name, data
