"""Prompt-injection defence for retrieved text: documents are data, never instructions.

Three layers keep a document from steering the assistant:
1. Sources go inside ``<source>`` tags in the user turn, never in the system
   prompt, and tag look-alikes in them are neutralised (answer.py).
2. The system prompt says the sources are data and their instructions are ignored.
3. Here: sentences that address the assistant with instructions ("ignore your
   previous instructions", "reveal your system prompt", "you are now ...",
   fake role headers such as "SYSTEM:") are cut out of the copy of the
   text that goes to the model and replaced by a visible placeholder. The
   stored chunk and the citations keep the original text, so nothing is
   hidden from the user; the answer carries a notice instead.

Layer 3 exists because small models follow whatever instruction they read
last, whatever the system prompt says: only text the model never sees is safe.
"""

from __future__ import annotations

import re

PLACEHOLDER = "[instruction aimed at the assistant removed]"

_PATTERNS = [
    # "ignore all previous instructions", "disregard your rules", "forget the system prompt"
    r"\b(ignore|disregard|forget|override|bypass)\s+(all|any)\s+(of\s+)?(the\s+|your\s+)?(\w+\s+)?(instructions?|rules|prompts?|guidelines|directives)\b",
    r"\b(ignore|disregard|forget|override|bypass)\s+(the\s+|your\s+|these\s+)?(previous|prior|above|earlier|preceding|system|original|existing|safety)\s+"
    r"(\w+\s+)?(instructions?|rules|prompts?|guidelines|directives|messages?)\b",
    r"\b(ignore|disregard|forget|override|bypass)\s+your\s+(instructions?|rules|prompts?|guidelines|directives|programming)\b",
    r"\b(reveal|print|show|repeat|output|leak|tell me)\b[^.!?\n]{0,30}\b(system|hidden|initial|original)\s+(prompt|instructions?|message)\b",
    r"\byou\s+are\s+now\s+(an?\s+|the\s+)?(\w+\s+){0,2}?(ai|assistant|bot|chatbot|model|character|persona|dan)\b",
    r"\byou\s+are\s+no\s+longer\s+(an?\s+)?(ai|assistant|bound|restricted|limited)\b",
    r"\b(from now on|henceforth)\b[^.!?\n]{0,20}\b(you|the assistant)\b",
    r"\b(new|updated|real)\s+instructions?\s*:",
    r"\b(act|behave|respond|answer|reply)\s+(only\s+)?(as|like|with)\b[^.!?\n]{0,40}\b(instead|from now on)\b",
    r"\b(do not|don't|never)\s+(cite|follow|obey)\s+(your|the|any)\s+(sources?|rules|instructions?|system)\b",
    r"(^|\n)\s*(system|assistant|developer)\s*:",
    r"<\s*/?\s*(system|instructions?|im_start|im_end)\b",
    r"\b(if you are|as) an? (ai|assistant|language model|llm|chatbot)\b",
]
_INJECTION = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)
_SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+|\n|$)")


def looks_like_injection(text: str) -> bool:
    """True when ``text`` holds an instruction aimed at an AI assistant."""
    return bool(_INJECTION.search(text))


def defuse(text: str) -> tuple[str, int]:
    """``text`` with instruction-like sentences replaced by a placeholder, and how many were cut."""
    if not looks_like_injection(text):
        return text, 0
    removed = 0
    parts: list[str] = []
    for m in _SENTENCE.finditer(text):
        sentence = m.group(0)
        if sentence.strip() and looks_like_injection(sentence):
            removed += 1
            lead = sentence[: len(sentence) - len(sentence.lstrip())]
            tail = "\n" if sentence.endswith("\n") else ""
            parts.append(lead + PLACEHOLDER + tail)
        else:
            parts.append(sentence)
    return "".join(parts), removed
