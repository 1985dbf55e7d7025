"""Writing with an assistant, through the door: drafts and series, the voice profile and writing guidance, style
rules. Every call that reads an assistant's documents or changes its guidance or rules takes the acting user;
the changes here take it as a required keyword (the marketing functions below default to the trusted command
line when it is left out, which a page must never do)."""

from __future__ import annotations

from ..access.users import User
from ..marketing import style_rules as _rules
from ..marketing import voice as _voice
from ..marketing.recipes import RECIPES, TONES, Draft, DraftOptions, apply_fix, draft, revise
from ..marketing.series import MAX_POSTS, MIN_POSTS, Series, plan_series, series_csv, series_ics, usual_slot
from ..marketing.style_rules import CASES, RULE_KINDS, StyleRule, style_rules
from ..marketing.voice import VoiceProfile, guidance_for, profile_for, saved_guidance

__all__ = [  # noqa: RUF022 - grouped by what they are
    "CASES", "MAX_POSTS", "MIN_POSTS", "RECIPES", "RULE_KINDS", "TONES",  # the choices and limits
    "Draft", "DraftOptions", "Series", "StyleRule", "VoiceProfile",  # what the calls return
    "apply_fix", "series_csv", "series_ics",  # work on a Draft or Series a checked call returned
    "draft", "guidance_for", "plan_series", "profile_for", "revise", "saved_guidance", "style_rules",  # checked reads
    "usual_slot",
    "add_rule", "remove_rule", "save_guidance", "update_rule",  # checked changes (managers only)
]


def save_guidance(store, assistant_id: str, guidance: str, *, user: User | None) -> None:
    """Keep (or with "" forget) a person's own writing guidance for an assistant they manage."""
    _voice.save_guidance(store.catalog, assistant_id, guidance, user)


def add_rule(store, assistant_id: str, kind: str, value: str = "", replacement: str = "", *,
             user: User | None) -> StyleRule:
    """A style rule of ``kind`` (RULE_KINDS) for an assistant ``user`` manages."""
    return _rules.add_rule(store, assistant_id, kind, value, replacement, user=user)


def update_rule(store, assistant_id: str, rule_id: str, value: str, replacement: str = "", *,
                user: User | None) -> None:
    _rules.update_rule(store, assistant_id, rule_id, value, replacement, user=user)


def remove_rule(store, assistant_id: str, rule_id: str, *, user: User | None) -> None:
    _rules.remove_rule(store, assistant_id, rule_id, user=user)
