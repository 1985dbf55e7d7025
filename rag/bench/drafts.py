"""Drafts per writer: how much of what each one writes is backed, cited, in the team's voice and within the rules.

A fixture corpus made for this benchmark (nobody's real data): ten past
LinkedIn posts in an export, two case studies (one quote in the sentence,
one on a line of its own), a launch note, two help pages and a brand style
guide. It goes through the product's own ingest into a throwaway store;
then every recipe drafts ``per_recipe`` topics with each writer:

- ``composed``: no model (what "Automatic" does with none connected);
- ``local``: the built-in SmolLM2-135M, in-process;
- ``compatible``: an OpenAI-compatible server, when one is given.

Per writer, over every version a draft offers (a composed LinkedIn post
offers three): factual sentences no source backs (the citation check's
"unsupported"), the share of factual sentences cited by a source that backs
them, voice traits matched (LinkedIn posts, out of the profile's), style-rule
violations, the share within the recipe's length limit, and seconds per draft.
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass, field
from pathlib import Path

from .common import Target, header, progress, table, target_lines, throwaway_store

WORKSPACE = "bench-drafts"
WRITERS = ("composed", "local", "compatible")

POSTS = [
    ("2025-09-02 07:45:00", "Paperwork is not patient care. 🩺\n\nEvery form we cut is time back at the bedside.\n\n"
                            "Which form would you cut first?\n\n#healthcare #operations #Northbeam"),
    ("2025-09-09 07:50:00", "3 clicks, not 30. ✅\n\nThat is how an intake form should feel.\n\nOne screen.\nOne question at a time.\n\n"
                            "How many clicks does yours take?\n\n#healthcare #ux #Northbeam"),
    ("2025-09-16 08:05:00", "Nobody reads the manual. 📚\n\nSo we put the answer where the question is.\n\n"
                            "Where do your customers get stuck?\n\n#support #saas #Northbeam"),
    ("2025-09-23 07:40:00", "Fast answers build trust. 🤝\n\nSlow ones build tickets.\n\nWe measure both.\n\n"
                            "What do you measure first?\n\n#support #operations #Northbeam"),
    ("2025-10-07 07:55:00", "We shipped dashboards today. 🚀\n\nBuilt with the teams who asked for them.\n\n"
                            "Which chart would you open first?\n\n#productlaunch #saas #Northbeam"),
    ("2025-10-14 08:00:00", "Good docs beat long calls. 📞\n\nEvery call we skip is an hour back.\n\n"
                            "When did you last shorten a call?\n\n#support #operations #Northbeam"),
    ("2025-10-21 07:45:00", "Speed is a feature. ⚡\n\nFor a store, speed means orders out the door.\n\n"
                            "What slows your orders down?\n\n#retail #operations #Northbeam"),
    ("2025-11-04 16:10:00", "We asked 40 nurses what they hate. 🗣️\n\nTop answer: typing the same thing twice.\n\n"
                            "What do your teams type twice?\n\n#healthcare #operations #Northbeam"),
    ("2025-11-11 07:50:00", "One source of truth. 📌\n\nNot five spreadsheets.\n\nYour team will thank you.\n\n"
                            "How many spreadsheets run your week?\n\n#operations #saas #Northbeam"),
    ("2025-11-18 07:45:00", "Onboarding is a promise. 🤞\n\nKeep it short.\nKeep it clear.\n\n"
                            "What does your onboarding promise?\n\n#onboarding #saas #Northbeam"),
]

DOCUMENTS = {
    "contoso-health-case-study.md": """# Contoso Health case study

Contoso Health runs 14 clinics across Ohio.

## The challenge
Patients filled in paper intake forms that nurses typed in again by hand. Intake took 25 minutes per patient.

## The solution
Contoso Health replaced paper forms with Northbeam intake on tablets, in every clinic.

## Results
Contoso Health cut patient intake from 25 minutes to 6 minutes.
Data-entry errors fell by 70% in the first quarter.
"Our nurses spend that time with patients now," says Maria Santos, Chief Nursing Officer at Contoso Health.
""",
    "tailspin-toys-customer-story.md": """# Tailspin Toys customer story

Tailspin Toys sells toys online and in 60 stores.

## The problem
Store staff answered order questions from a shared inbox, and customers waited 2 days for a reply.

## What they did
Tailspin Toys moved its order answers into Northbeam and connected it to the order system.

## Results
Tailspin Toys cut reply time from 2 days to 3 hours.
Repeat orders rose from 18% to 27% in six months.

“Customers stopped asking where their parcel is. They just order again.”

— Leo Park, Head of Customer Care, Tailspin Toys
""",
    "northbeam-dashboards-launch.md": """# Northbeam live dashboards launch

Released October 7, 2025.

We are excited to announce live dashboards for every Northbeam workspace.
Every chart refreshes every 30 seconds.
The Team plan includes dashboards at $59 per month.
Live dashboards are available to all customers from today, with a 14-day free trial.
""",
    "help-export-a-report.md": """# Export a report

1. Open the report you want to export.
2. Click Share in the top right corner.
3. Choose CSV or PDF and click Export.

Exports of more than 10,000 rows are sent to your email address.
""",
    "help-invite-a-teammate.md": """# Invite a teammate

1. Go to Settings > Members.
2. Click Invite and enter their email address.
3. Choose their role and click Send.

Invitations expire after 7 days.
""",
    "northbeam-brand-style-guide.md": """# Northbeam brand style guide

Our tone of voice: plain, warm and specific.

## Words
| Avoid | Use instead |
| --- | --- |
| leverage | use |
| utilize | use |
| seamless | simple |
| cutting-edge | new |

## Social posts
- No more than two emoji per post.
- Use at most three hashtags.
- Always end with #Northbeam.
- Write numbers as digits.
- Headlines in sentence case.
""",
}

TOPICS = {
    "linkedin-post": ["How Contoso Health cut patient intake time", "What Tailspin Toys got from faster order answers",
                      "Nurses and the paperwork they no longer type"],
    "campaign": ["", "for operations leaders", "for small teams"],
    "help-article": ["How do I export a report?", "How do I invite a teammate?", "How do I send a report as PDF?"],
    "sales-answer": ["How much faster did intake get at Contoso Health?", "What results did Tailspin Toys see?",
                     "Which customer had fewer errors in patient data?"],
}


@dataclass(frozen=True)
class DraftsConfig:
    writers: tuple[str, ...] = ("composed", "local")
    per_recipe: int = 2
    compatible_url: str | None = None
    compatible_model: str | None = None
    max_tokens: int | None = None  # cap on a model's draft (None: the recipe's own)
    timeout_s: float = 300.0
    corpora: tuple[str, ...] = ("brewhouse", "ledgerly", "brightsmile", "harbor", "pathwise")  # voices (draft_voices.CORPORA)


@dataclass
class Tally:
    drafts: int = 0  # draft calls
    versions: int = 0  # versions offered (a composed LinkedIn post offers three)
    claims: int = 0
    unsupported: int = 0
    cited: int = 0
    voice_matched: int = 0
    voice_total: int = 0
    violations: int = 0
    within_length: int = 0
    seconds: float = 0.0
    fell_back: int = 0  # the model failed or returned nothing, so the draft was composed
    per_recipe: dict = field(default_factory=dict)

    def as_row(self) -> dict:
        return {
            "drafts": self.drafts,
            "versions": self.versions,
            "factual_sentences": self.claims,
            "unsupported_facts": self.unsupported,
            "cited_share": round(self.cited / self.claims, 3) if self.claims else None,
            "voice_traits_matched": f"{self.voice_matched}/{self.voice_total}" if self.voice_total else None,
            "voice_share": round(self.voice_matched / self.voice_total, 3) if self.voice_total else None,
            "style_violations": self.violations,
            "within_length_share": round(self.within_length / self.versions, 3) if self.versions else None,
            "seconds_per_draft": round(self.seconds / self.drafts, 2) if self.drafts else None,
            "fell_back_to_composed": self.fell_back,
        }


def _shares_csv() -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["Date", "ShareLink", "ShareCommentary", "SharedUrl", "MediaUrl", "Visibility"])
    for n, (date, text) in enumerate(POSTS, 1):
        w.writerow([date, f"https://www.linkedin.com/feed/update/urn:li:share:9{n:05d}", text, "", "", "MEMBER_NETWORK"])
    return out.getvalue().encode()


def build_corpus(store, folder: Path) -> None:
    """The fixture corpus, through the product's ingest (kinds guessed as for any upload)."""
    from ..ingest.pipeline import ingest_paths

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Shares.csv").write_bytes(_shares_csv())
    for name, text in DOCUMENTS.items():
        (folder / name).write_text(text)
    report = ingest_paths(store, [folder], workspace=WORKSPACE)
    if report.count("failed"):
        raise ValueError(f"the draft corpus did not ingest: {report.as_dict()}")


def _measure(result, tally: Tally) -> None:
    from ..marketing.recipes import is_claim
    from ..marketing.voice import match_voice

    for version in [result] + result.alternatives:
        tally.versions += 1
        claims = [s for s in version.sentences if is_claim(s)]
        tally.claims += len(claims)
        tally.unsupported += sum(s.support == "unsupported" for s in claims)
        tally.cited += sum(bool(s.citations) and s.support != "unsupported" for s in claims)
        tally.violations += len(version.violations)
        length = next((c for c in version.checks if c.name == "length"), None)
        tally.within_length += bool(length and length.passed)
        if version.recipe == "linkedin-post" and version.voice is not None:
            match = match_voice(version.body, version.voice)
            tally.voice_matched += len(match.matched)
            tally.voice_total += len(match.matched) + len(match.mismatched)


def run(config: DraftsConfig) -> dict:
    from ..marketing.recipes import DraftOptions, draft

    tallies: dict[str, Tally] = {}
    with throwaway_store() as store:
        build_corpus(store, store.settings.data_dir / "corpus")
        settings = store.settings.with_(workspace=WORKSPACE, llm_timeout_s=config.timeout_s)
        for writer in config.writers:
            if writer == "compatible":
                if not config.compatible_url:
                    progress("compatible: skipped (give --compatible-url)")
                    continue
                settings = settings.with_(compatible_url=config.compatible_url, compatible_model=config.compatible_model)
            tally = tallies[writer] = Tally()
            model = "extractive" if writer == "composed" else writer
            for recipe, topics in TOPICS.items():
                per = tally.per_recipe.setdefault(recipe, Tally())
                for topic in topics[: config.per_recipe]:
                    started = time.monotonic()
                    result = draft(store, recipe, topic, WORKSPACE, DraftOptions(model=model, max_tokens=config.max_tokens),
                                   settings=settings, user=None)
                    seconds = time.monotonic() - started
                    for t in (tally, per):
                        t.drafts += 1
                        t.seconds += seconds
                        t.fell_back += writer != "composed" and result.model == "composed"
                        _measure(result, t)
                    progress(f"{writer:10s} {recipe:13s} {seconds:7.1f} s  {topic or '(newest launch)'}")
        voices = _voices(store, config)
    result = {
        **header("drafts"),
        "config": {"writers": list(config.writers), "per_recipe": config.per_recipe, "max_tokens": config.max_tokens,
                   "compatible_model": config.compatible_model, "corpora": list(config.corpora)},
        "writers": {w: {**t.as_row(), "recipes": {r: p.as_row() for r, p in t.per_recipe.items()}} for w, t in tallies.items()},
        "voices": voices,
    }
    result["targets"] = [t.as_dict() for t in targets(result)]
    return result


def _voices(store, config: DraftsConfig) -> dict:
    """Posts in each fixture corpus's voice (composed, offline): see :mod:`.draft_voices`."""
    from .draft_voices import CORPORA, build, measure

    out = {}
    for name in config.corpora:
        if name not in CORPORA:
            raise ValueError(f"unknown corpus {name!r}; choose from {', '.join(CORPORA)}")
        corpus = CORPORA[name]
        build(store, corpus, store.settings.data_dir / f"voices-{name}")
        tally = measure(store, corpus)
        out[name] = {"voice": corpus.voice, "held_out": corpus.held_out, **tally.as_row()}
        progress(f"voices     {name:12s} {out[name]['topic_fact_in_v1']} topic fact, {out[name]['voice_traits_v1']} traits")
    return out


def targets(result: dict) -> list[Target]:
    """The issue's targets for composed drafts: no unsupported fact, no style violation; per voice corpus, the brief's
    fact in version 1 every time, the customer the brief names named in every version 1, no invented number or cut word, at least 5 of 6 voice traits, every rule kept,
    no repeat or cut post in a series, under 3 s a draft."""
    out = []
    composed = result["writers"].get("composed")
    if composed:
        out += [Target("composed: facts no source backs", composed["unsupported_facts"], 0, "<="),
                Target("composed: style-rule violations", composed["style_violations"], 0, "<=")]
    for name, v in result.get("voices", {}).items():
        got, total = (int(x) for x in v["topic_fact_in_v1"].split("/"))
        traits, of = (int(x) for x in v["voice_traits_v1"].split("/"))
        named, of_named = (int(x) for x in v.get("names_subject_in_v1", "0/0").split("/"))
        out += [Target(f"{name}: brief's fact in version 1", got / total if total else 0.0, 1.0, ">="),
                Target(f"{name}: version 1 names the brief's subject", named / of_named if of_named else 0.0, 1.0, ">="),
                Target(f"{name}: invented numbers", v["invented_numbers"], 0, "<="),
                Target(f"{name}: cut words", v["cut_words"], 0, "<="),
                Target(f"{name}: voice traits of every version 1 (fewest, of 6)",
                       v.get("fewest_traits_v1") if v.get("fewest_traits_v1") is not None else
                       (round(6 * traits / of, 2) if of else 0.0), 5, ">="),
                Target(f"{name}: style-rule violations", v["style_violations"], 0, "<="),
                Target(f"{name}: series repeats and cut posts", v["series_repeats"] + v["series_cut_posts"], 0, "<="),
                Target(f"{name}: seconds per draft", v["seconds_per_draft"] or 0.0, 3.0, "<=")]
    return out


def render(result: dict) -> str:
    rows = []
    for writer, r in result["writers"].items():
        rows.append([writer, r["drafts"], r["versions"], r["unsupported_facts"], r["cited_share"], r["voice_traits_matched"] or "-",
                     r["style_violations"], r["within_length_share"], r["seconds_per_draft"]])
    heads = ["writer", "drafts", "versions", "unsupported facts", "cited sentences", "voice traits matched",
             "style violations", "length within limits", "s per draft"]
    voice_rows = [[name + (" (held apart)" if v["held_out"] else ""), v["voice"], v["topic_fact_in_v1"],
                   v.get("names_subject_in_v1", "-"), v["invented_numbers"],
                   v["cut_words"], v["voice_traits_v1"] + (f" (fewest {v['fewest_traits_v1']}/6)"
                                                            if v.get("fewest_traits_v1") is not None else ""),
                   v["style_violations"],
                   f"{v['series_posts']} posts, {v['series_repeats']} repeats, {v['series_cut_posts']} cut",
                   v["seconds_per_draft"]] for name, v in result.get("voices", {}).items()]
    voice_heads = ["corpus", "voice", "topic fact in v1", "names the brief's subject (v1)", "invented numbers", "cut words", "voice traits (v1)",
                   "style violations", "4-post series", "s per draft"]
    parts = [table(heads, rows)] if rows else []
    if voice_rows:
        parts += ["", table(voice_heads, voice_rows)]
    return "\n".join([*parts, "", *target_lines(result["targets"])])
