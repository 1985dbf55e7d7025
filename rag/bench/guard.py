"""``grounded bench guard``: how often the planted-instruction guard fires on real text, and what it catches.

Two sides of one filter (rag/answer/guard.py):
- false alarms: every document under the given folders is parsed the way
  ingest parses it (the product's parser in its worker process, with a time
  limit; files it can't read are skipped and counted), split into sentences
  the way the guard splits them, and each sentence checked. A flagged
  sentence in a real document is a false alarm: nobody planted anything in
  these third-party files. Target: at most 1% of sentences.
- recall: the attack corpus in :mod:`rag.bench.guard_corpus` (written for the
  project: 250+ phrasings in seven languages, disguised and embedded), and
  the phrasings the security review reported. Target: at least 90% flagged.
  The corpus is what the patterns were written against; the UNSEEN set,
  never used to tune them, says what to expect of a new phrasing.
- families: ``guard_families.jsonl`` beside this file, 128 planted
  instructions in ten families (direct orders, polite requests, role play,
  system-prompt impersonation, German/French/Spanish/Dutch, encoding tricks,
  comment hiding, FAQ or policy framing, indirect, exfiltration) and 123
  marketing and help-center lines that look like them. A fixed hash of each
  line puts it in the tuning or the held-apart split (decided before any
  measurement); the guard is only ever changed for misses in the tuning split,
  so the held-apart figures are the estimate for text nobody tuned against.
  Recall on attacks and the false-alarm rate on the look-alikes, per split and
  per family.
Speed is the guard's own time per sentence, over the real sentences.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .common import Target, header, progress, table, target_lines

MAX_LISTED = 200  # flagged sentences listed in the result; the counts cover all of them
FAMILIES = Path(__file__).with_name("guard_families.jsonl")
SPLITS = ("tuning", "held_apart")


@dataclass(frozen=True)
class GuardConfig:
    documents: tuple[Path, ...]  # folders (walked) or files; none: only the written sets are measured
    limit: int | None = None  # only the first N files of each folder
    timeout_s: float = 120.0  # per file, in the parse worker
    parsed: Path | None = None  # keep the parsed sentences here and reuse them next time
    max_false_alarms: float = 0.01
    min_recall: float = 0.90


def split_of(text: str) -> str:
    """The split a line of the families set belongs to: a fixed hash of its text, never its result."""
    return "held_apart" if hashlib.sha256(f"grounded guard split v1\n{text}".encode()).digest()[0] < 128 else "tuning"


def family_rows(path: Path = FAMILIES) -> list[dict]:
    """The families set: {label: attack|benign, family, text, split} per line."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [{**row, "split": split_of(row["text"])} for row in rows]


def families_result(path: Path = FAMILIES) -> dict:
    """Recall on the attacks and false alarms on the look-alikes, per split and per family.

    Missed attacks and flagged look-alikes are listed for the tuning split
    only: the held-apart lines are counted, never shown, so nobody tunes on them.
    """
    from ..answer.guard import looks_like_injection

    rows = family_rows(path)
    out: dict = {"file": path.name}
    for split in SPLITS:
        part = [row | {"flagged": looks_like_injection(row["text"])} for row in rows if row["split"] == split]
        attacks = [row for row in part if row["label"] == "attack"]
        benign = [row for row in part if row["label"] == "benign"]
        per_family: dict[str, list[int]] = {}
        for row in part:
            counts = per_family.setdefault(f"{row['label']}/{row['family']}", [0, 0])
            counts[0] += row["flagged"]
            counts[1] += 1
        out[split] = {
            "attacks": len(attacks),
            "caught": sum(row["flagged"] for row in attacks),
            "recall": round(sum(row["flagged"] for row in attacks) / len(attacks), 4) if attacks else None,
            "benign": len(benign),
            "false_alarms": sum(row["flagged"] for row in benign),
            "false_alarm_rate": round(sum(row["flagged"] for row in benign) / len(benign), 4) if benign else None,
            "by_family": {family: f"{hit}/{n}" for family, (hit, n) in sorted(per_family.items())},
        }
        if split == "tuning":
            out[split]["missed"] = [row["text"] for row in attacks if not row["flagged"]]
            out[split]["benign_flagged"] = [row["text"] for row in benign if row["flagged"]]
    return out


def document_sentences(config: GuardConfig) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Sentences of every readable document ({file: sentences}) and why the others were skipped ({file: reason})."""
    if config.parsed and config.parsed.exists():
        cached = json.loads(config.parsed.read_text(encoding="utf-8"))
        return cached["sentences"], cached["skipped"]
    from ..answer.guard import sentence_spans
    from ..errors import GroundedError
    from ..ingest.pipeline import iter_files
    from ..parse.isolated import parse_file_isolated

    sentences: dict[str, list[str]] = {}
    skipped: dict[str, str] = {}
    for folder in config.documents:
        files = list(iter_files([folder]))[: config.limit]
        for n, path in enumerate(files, 1):
            name = str(path)
            started = time.perf_counter()
            try:
                parsed = parse_file_isolated(path, path.name, timeout_s=config.timeout_s)
            except GroundedError as err:
                skipped[name] = str(err)
                progress(f"[{n}/{len(files)}] skipped {path.name}: {err}")
                continue
            found = [e.text[a:b] for e in parsed.elements for a, b in sentence_spans(e.text)]
            sentences[name] = found
            progress(f"[{n}/{len(files)}] {path.name}: {len(found)} sentences ({time.perf_counter() - started:.1f} s)")
    if config.parsed:
        config.parsed.parent.mkdir(parents=True, exist_ok=True)
        config.parsed.write_text(json.dumps({"sentences": sentences, "skipped": skipped}, ensure_ascii=False),
                                 encoding="utf-8")
    return sentences, skipped


def corpus_recall() -> dict:
    """Share of the attack corpus flagged (overall and by kind), the reported phrasings, and the benign lines."""
    from ..answer.guard import looks_like_injection
    from .guard_corpus import ATTACKS, BENIGN, REPORTED, UNSEEN

    by_kind: dict[str, list[bool]] = {}
    for kind, text in ATTACKS:
        by_kind.setdefault(kind, []).append(looks_like_injection(text))
    caught = [hit for hits in by_kind.values() for hit in hits]
    return {
        "attacks": len(caught),
        "recall": round(sum(caught) / len(caught), 4),
        "by_kind": {kind: f"{sum(hits)}/{len(hits)}" for kind, hits in by_kind.items()},
        "missed": [text for _, text in ATTACKS if not looks_like_injection(text)],
        "reported_caught": f"{sum(map(looks_like_injection, REPORTED))}/{len(REPORTED)}",
        "unseen_recall": round(sum(map(looks_like_injection, UNSEEN)) / len(UNSEEN), 4),
        "unseen": len(UNSEEN),
        "benign_flagged": [text for text in BENIGN if looks_like_injection(text)],
        "benign": len(BENIGN),
    }


def run(config: GuardConfig) -> dict:
    from ..answer.guard import matched_rule

    sentences, skipped = document_sentences(config) if config.documents else ({}, {})
    flagged: list[dict] = []
    rules: Counter = Counter()
    total = 0
    started = time.perf_counter()
    for file, found in sentences.items():
        for sentence in found:
            total += 1
            rule = matched_rule(sentence)
            if rule:
                rules[rule] += 1
                flagged.append({"file": file, "rule": rule, "sentence": sentence[:300]})
    seconds = time.perf_counter() - started
    share = len(flagged) / total if total else 0.0
    recall = corpus_recall()
    families = families_result()
    targets = [
        *([Target("false alarms on real sentences", round(share, 5), config.max_false_alarms, "<=")] if total else []),
        Target("attack corpus flagged", recall["recall"], config.min_recall, ">="),
    ]
    return {
        **header("guard"),
        "documents": [str(d) for d in config.documents],
        "files_read": len(sentences),
        "files_skipped": len(skipped),
        "skipped": skipped,
        "sentences": total,
        "flagged": len(flagged),
        "flagged_share": round(share, 5),
        "flagged_by_rule": dict(rules),
        "flagged_by_file": dict(Counter(f["file"] for f in flagged).most_common()),
        "flagged_sentences": flagged[:MAX_LISTED],
        "us_per_sentence": round(1e6 * seconds / total, 1) if total else None,
        "corpus": recall,
        "families": families,
        "targets": [t.as_dict() for t in targets],
    }


def render(result: dict) -> str:
    corpus = result["corpus"]
    lines = [
        f"{result['files_read']} files read ({result['files_skipped']} skipped), {result['sentences']} sentences, "
        f"{result['flagged']} flagged ({100 * result['flagged_share']:.3f}%), "
        f"{result['us_per_sentence']} µs per sentence" if result["sentences"] else "no real documents given",
    ]
    if result["flagged_sentences"]:
        rows = [[Path(f["file"]).name, f["rule"], f["sentence"][:110].replace("\n", " ")] for f in result["flagged_sentences"]]
        lines += ["", table(["file", "rule", "flagged sentence"], rows)]
    lines += [
        "",
        f"attack corpus: {corpus['recall']:.3f} of {corpus['attacks']} flagged "
        f"({', '.join(f'{k} {v}' for k, v in corpus['by_kind'].items())}); "
        f"reported phrasings {corpus['reported_caught']}; benign lines flagged {len(corpus['benign_flagged'])}/{corpus['benign']}",
        f"unseen phrasings (written after the patterns, never used to tune them): {corpus['unseen_recall']:.3f} "
        f"of {corpus['unseen']} flagged",
        *(f"  missed: {text}" for text in corpus["missed"]),
        *(f"  benign flagged: {text}" for text in corpus["benign_flagged"]),
        "",
        *render_families(result["families"]),
        "",
        *target_lines(result["targets"]),
    ]
    return "\n".join(lines)


def render_families(families: dict) -> list[str]:
    lines = [f"families set ({families['file']}): recall on planted instructions, false alarms on look-alikes"]
    for split in SPLITS:
        part = families[split]
        lines.append(f"  {split}: {part['caught']}/{part['attacks']} attacks caught ({100 * part['recall']:.1f}%), "
                     f"{part['false_alarms']}/{part['benign']} look-alikes flagged ({100 * part['false_alarm_rate']:.1f}%)")
    families_seen = sorted(set(families["tuning"]["by_family"]) | set(families["held_apart"]["by_family"]))
    rows = [[family, families["tuning"]["by_family"].get(family, "-"), families["held_apart"]["by_family"].get(family, "-")]
            for family in families_seen]
    lines += ["", table(["family (flagged/lines)", "tuning", "held apart"], rows)]
    lines += [f"  tuning, missed: {text!r}" for text in families["tuning"]["missed"]]
    lines += [f"  tuning, look-alike flagged: {text!r}" for text in families["tuning"]["benign_flagged"]]
    return lines
