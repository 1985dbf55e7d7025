"""The steps every written text ends with, answers and drafts alike: write with the model (or fall back), check, explain.

- :func:`stream_written`: stream a model's text through an LCEL chain; a
  failure or an empty reply falls back to quoting with a notice saying why.
- :func:`explain_check`: the notices a citation check calls for (markers
  removed, sources attributed by Grounded, a mostly unsupported text).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field

from ..types import Notice
from .check import CheckResult
from .models import MODEL_NOTICES, WEAK_MODEL_UNCITED, plain_reason
from .prompt import clean_model_text


@dataclass
class Written:
    """What the model wrote (cleaned of prompt echoes), or empty with the reason it fell back to quotes."""

    text: str = ""
    fell_back: bool = False
    notices: list[Notice] = field(default_factory=list)


def stream_written(chain, inputs: dict, on_token: Callable[[str], None] | None = None, what: str = "answer model",
                   echoes: tuple[str, ...] = (), instead: str = "this quotes your documents instead") -> Generator[str, None, Written]:
    """Stream ``chain``'s tokens (also to ``on_token``); returns a :class:`Written` when done.

    ``echoes``: prompt text the model must not repeat to the user (its instructions, the voice guide);
    ``instead``: what the reader gets if the model fails.
    """
    text = ""
    try:
        for token in chain.stream(inputs):
            text += token
            if on_token:
                on_token(token)
            yield token
    except Exception as err:  # noqa: BLE001 - any model failure falls back to quoting
        return Written("", True, [Notice("model_failed", f"The {what} failed ({plain_reason(err)}), so {instead}.")])
    cleaned = clean_model_text(text, echoes)
    if not cleaned:
        return Written("", True, [Notice("model_empty", f"The {what} returned nothing, so {instead}.")])
    return Written(cleaned)


def model_notice(model: str, cited: bool = True) -> list[Notice]:
    """What the user should know about the model that wrote (the small built-in one is weak; none quotes).

    ``cited``: whether sources are shown with the text; a notice never points at sources that aren't there.
    """
    if model == "local" and not cited:
        return [WEAK_MODEL_UNCITED]
    return [MODEL_NOTICES[model]] if model in MODEL_NOTICES else []


def explain_check(checked: CheckResult, model: str) -> list[Notice]:
    notices = []
    if checked.attributed:
        notices.append(Notice("citations_attributed", "The model wrote no citations; each sentence was matched to its best source by Grounded."))
    if checked.removed_markers:
        notices.append(Notice("citations_removed", f"{checked.removed_markers} citation(s) pointed at no source and were removed."))
    if model not in ("extractive", "composed") and checked.grounded_fraction < 0.5:
        notices.append(Notice(
            "mostly_unsupported",
            "Most of this text is not backed by your documents. Check each sentence against its source before using it."
            if checked.citations else "None of this text is backed by your documents; don't use it as it is.",
        ))
    return notices


def planted_notice(count: int) -> list[Notice]:
    if not count:
        return []
    return [Notice("instructions_removed",
                   f"{count} sentence(s) in your documents gave orders to the assistant; they were not passed to the model.")]
