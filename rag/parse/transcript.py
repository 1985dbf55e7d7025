"""Transcripts: WebVTT and SubRip captions, and plain-text transcripts, as one element per speaker turn.

A webinar or call transcript is read by who said what: each element is one
turn and starts with its speaker ("Dana Reyes: We cut onboarding to 12 days."),
so a passage (and a quote from it) always says who is speaking. Cue numbers
and timings are left out; consecutive cues of one speaker make one turn.

Plain text is read as a transcript when most of its lines are turns, in the
styles the usual tools export:

- ``Name: text`` (also after a timestamp, ``[00:01:02] Name: text``)
- ``Name  00:01:02`` on a line of its own, the words on the lines below (Otter, Zoom)
- in captions, ``<v Name>text`` (Teams, Zoom VTT) or ``NAME: text`` / ``[Name] text``
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from ..errors import EmptyDocument
from ..types import ParsedDocument
from . import titles
from .builder import Builder

MAX_TURN_CHARS = 1500  # a longer turn is cut at sentence ends, each part again starting with its speaker
_NAME = r"[A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|de|van|von|da|di|del|la|le)){0,3}"
_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
# "Name: text", "[00:01] Name: text", "Name (Company): text" (the company stays with the name)
_COLON_TURN = re.compile(rf"^(?:[\[(]?{_TIME}[\])]?\s*[-–]?\s*)?(?P<name>{_NAME}|[A-Z]{{2,}}(?:\s+[A-Z]{{2,}}){{0,2}})"
                         rf"(?:\s+\((?P<org>[A-Z][^()]{{0,40}})\))?"
                         rf"\s*(?:[\[(]{_TIME}[\])])?\s*:\s+(?P<text>\S.*)$")
_TIMED_NAME = re.compile(rf"^(?P<name>{_NAME})\s*(?:[-–|·]\s*)?[\[(]?{_TIME}[\])]?\s*$")
_BRACKET_TURN = re.compile(rf"^\[(?P<name>{_NAME})\]\s*(?P<text>\S.*)$")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+(?P<name>[^>]+)>(?P<text>.*?)(?:</v>|$)", re.S)
_TAG = re.compile(r"</?[a-z][^>]*>", re.I)
_CUE_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}.*$")
_NOT_SPEAKERS = {"note", "notes", "step", "tip", "warning", "important", "q", "a", "question", "answer", "date", "time",
                 "location", "where", "when", "price", "agenda", "subject", "from", "to", "re", "example", "http", "https"}
UNNAMED = "Speaker"  # a caption's voice that no name is given for
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“‘(])")


def _speaker(name: str) -> str | None:
    name = " ".join(name.split())
    return None if name.lower() in _NOT_SPEAKERS or name.lower().startswith(("step ", "note ")) else name


def turns_of_lines(lines: list[str]) -> tuple[list[str], list[tuple[str, str]]] | None:
    """(lines before the first turn, [(speaker, words)]) when ``lines`` read as a transcript, else None.

    A transcript has at least three turns by at least two speakers, one of them
    speaking more than once, and its turn lines are at least a third of its lines.
    """
    nonblank = [line.strip() for line in lines if line.strip()]
    if len(nonblank) < 3:
        return None
    heads: list[tuple[int, str, str]] = []  # (line number, speaker, words on that line)
    for n, line in enumerate(nonblank):
        if (m := _COLON_TURN.match(line) or _BRACKET_TURN.match(line)) and (who := _speaker(m.group("name"))):
            org = m.groupdict().get("org")
            heads.append((n, f"{who} ({org})" if org else who, m.group("text")))
        elif (m := _TIMED_NAME.match(line)) and (who := _speaker(m.group("name"))):
            heads.append((n, who, ""))
    names = [who for _, who, _ in heads]
    if len(heads) < 3 or len(set(names)) < 2 or len(set(names)) == len(names) or len(heads) * 3 < len(nonblank):
        return None
    before = nonblank[: heads[0][0]]
    turns: list[tuple[str, str]] = []
    for i, (n, who, words) in enumerate(heads):
        end = heads[i + 1][0] if i + 1 < len(heads) else len(nonblank)
        text = " ".join([words, *nonblank[n + 1 : end]]).strip()
        if not text:
            continue
        if turns and turns[-1][0] == who:
            turns[-1] = (who, f"{turns[-1][1]} {text}")
        else:
            turns.append((who, text))
    return before, turns


def add_turns(b: Builder, turns: Iterable[tuple[str, str]], page: int | None = None) -> None:
    """Each turn as an element starting with its speaker; a long one in parts, each with the speaker again."""
    for who, text in turns:
        text = " ".join(text.split())
        part = ""
        for sentence in _SENTENCE_END.split(text):
            if part and len(part) + len(sentence) > MAX_TURN_CHARS:
                b.add(f"{who}: {part}", "text", page)
                part = ""
            part = f"{part} {sentence}".strip()
        if part:
            b.add(f"{who}: {part}", "text", page)


def _cues(text: str) -> list[str]:
    """The words of each caption cue, in order (header, cue ids, timings, notes and styles left out)."""
    cues: list[str] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines or lines[0].startswith(("WEBVTT", "NOTE", "STYLE", "REGION")):
            continue
        timing = next((i for i, line in enumerate(lines) if _CUE_TIMING.match(line)), None)
        if timing is None:
            continue
        words = lines[timing + 1 :]
        if words:
            cues.append("\n".join(words))
    return cues


def _cue_turns(cues: list[str]) -> list[tuple[str, str]]:
    """(speaker, words) per cue: ``<v Name>``, ``Name:`` or ``[Name]``; "" when the cue doesn't say (the same voice goes on)."""
    out: list[tuple[str, str]] = []
    for cue in cues:
        voices = list(_VOICE.finditer(cue))
        if voices:
            for v in voices:
                out.append((" ".join(v.group("name").split()), _TAG.sub("", v.group("text"))))
            continue
        lines = [line.strip() for line in _TAG.sub("", cue).split("\n") if line.strip()]
        if len(lines) >= 2 and all(line[:1] in "-–" for line in lines):
            # "- Really?" / "- Yes, since the switch.": two voices the caption doesn't name, not the last speaker's
            out.extend((UNNAMED, line.lstrip("-– ")) for line in lines)
            continue
        flat = " ".join(_TAG.sub("", cue).split())
        m = _COLON_TURN.match(flat) or _BRACKET_TURN.match(flat)
        who = _speaker(m.group("name")) if m else None
        out.append((who, m.group("text")) if who else ("", flat.lstrip("-– ")))
    return out


def parse_captions(path: Path, name: str) -> ParsedDocument:
    """A .vtt or .srt file: speaker turns when the captions name their speakers, else paragraphs of captions."""
    from .encoding import decode

    text = decode(path.read_bytes())
    pieces = _cue_turns(_cues(text))
    if not any(words.strip() for _, words in pieces):
        raise EmptyDocument("These captions hold no text.")
    b = Builder(name)
    if any(who for who, _ in pieces):
        turns: list[tuple[str, str]] = []
        for who, words in pieces:
            who = who or (turns[-1][0] if turns else "Speaker")
            if turns and turns[-1][0] == who and who != UNNAMED:  # two unnamed voices are not one turn
                turns[-1] = (who, f"{turns[-1][1]} {words}")
            else:
                turns.append((who, words))
        add_turns(b, turns)
    else:  # nobody named: the captions as paragraphs of about a minute's reading
        para = ""
        for _, words in pieces:
            para = f"{para} {words}".strip()
            if len(para) > 600 and para.endswith((".", "!", "?")):
                b.add(para)
                para = ""
        if para:
            b.add(para)
    return ParsedDocument(name, b.elements, title=titles.from_file_name(name))
