"""Writing guidance in the catalog (``catalog.guidance``): a person's voice guidance per assistant (m006_voice_guidance)
and the style rules drafts are checked against (m010_style_rules, m019_style_rule_sentences).

What the rules mean, how they are read from a style guide and who may change them is
:mod:`rag.marketing.style_rules` and :mod:`rag.marketing.voice`; here are their statements.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from . import Tables


@dataclass(frozen=True)
class RuleRow:
    """One stored style rule: its kind and value, what to use instead, and where it was read (``source`` "": a
    person added it)."""

    rule_id: str
    kind: str
    value: str = ""
    replacement: str = ""
    source: str = ""
    source_sentence: str = ""


@dataclass(frozen=True)
class GuideRule:
    """A rule as a style guide (document ``doc_id``, file ``source``) says it now: what :meth:`sync_guide_rules`
    brings the stored rules in line with."""

    rule_id: str
    kind: str
    value: str
    replacement: str
    doc_id: str
    source: str
    source_sentence: str


class GuidanceTables(Tables):
    """``voice_guidance`` (one text per assistant) and ``style_rules`` (per assistant, read from guides or added by
    people; a person's edit or removal of a guide's rule is kept when the guide is read again)."""

    # voice guidance
    def voice_guidance(self, workspace: str) -> str | None:
        """The guidance a person wrote for an assistant (None: none, the generated guidance is used)."""
        rows = self._query("SELECT guidance FROM voice_guidance WHERE workspace = ?", (workspace,))
        return rows[0]["guidance"] if rows else None

    def save_voice_guidance(self, workspace: str, guidance: str) -> None:
        """Keep a person's guidance for an assistant (replacing any before)."""
        self._execute(
            "INSERT INTO voice_guidance(workspace, guidance, updated) VALUES (?, ?, ?) "
            "ON CONFLICT(workspace) DO UPDATE SET guidance = excluded.guidance, updated = excluded.updated",
            (workspace, guidance, time.time()),
        )

    def clear_voice_guidance(self, workspace: str) -> None:
        """Forget a person's guidance: the assistant goes back to the generated one."""
        self._execute("DELETE FROM voice_guidance WHERE workspace = ?", (workspace,))

    # style rules
    def sync_guide_rules(self, workspace: str, rules: list[GuideRule]) -> None:
        """Make the stored rules read from ``workspace``'s guides the ``rules`` its guides say now, in one transaction:
        new ones added, a changed replacement taken unless a person edited the rule, a reworded sentence taken, and
        rules no guide says any more deleted (removed ones stay removed)."""
        stored = {r["rule_id"]: r for r in self._query(
            "SELECT rule_id, doc_id, replacement, source_sentence, edited FROM style_rules "
            "WHERE workspace = ? AND doc_id IS NOT NULL", (workspace,))}
        now = time.time()
        current: set[str] = set()
        with self.catalog.transaction():
            for rule in rules:
                current.add(rule.rule_id)
                before = stored.get(rule.rule_id)
                if before is None:
                    self._execute("INSERT INTO style_rules(rule_id, workspace, kind, value, replacement, doc_id, "
                                  "source, source_sentence, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                  (rule.rule_id, workspace, rule.kind, rule.value, rule.replacement, rule.doc_id,
                                   rule.source, rule.source_sentence, now))
                    continue
                if not before["edited"] and before["replacement"] != rule.replacement:  # the guide changed it
                    self._execute("UPDATE style_rules SET replacement = ?, updated = ? WHERE rule_id = ?",
                                  (rule.replacement, now, rule.rule_id))
                if before["source_sentence"] != rule.source_sentence:  # reworded: the rule shows the guide's words
                    self._execute("UPDATE style_rules SET source_sentence = ? WHERE rule_id = ?",
                                  (rule.source_sentence, rule.rule_id))
            # its guide was deleted, re-kinded, or no longer says it
            gone = [rid for rid in stored if rid not in current]
            for rid in gone:
                self._execute("DELETE FROM style_rules WHERE rule_id = ?", (rid,))

    def style_rules(self, workspace: str) -> list[RuleRow]:
        """An assistant's rules in force (not removed): limits and cases first, then avoided words; by kind, value."""
        rows = self._query(
            "SELECT rule_id, kind, value, replacement, source, source_sentence FROM style_rules WHERE workspace = ? "
            "AND removed = 0 ORDER BY CASE kind WHEN 'avoid' THEN 1 ELSE 0 END, kind, value", (workspace,))
        return [RuleRow(r["rule_id"], r["kind"], r["value"], r["replacement"], r["source"], r["source_sentence"])
                for r in rows]

    def rule_kind(self, workspace: str, rule_id: str) -> str | None:
        """The kind of one of ``workspace``'s rules in force (None: no such rule, or it was removed)."""
        rows = self._query("SELECT kind FROM style_rules WHERE workspace = ? AND rule_id = ? AND removed = 0",
                           (workspace, rule_id))
        return rows[0]["kind"] if rows else None

    def add_person_rule(self, workspace: str, rule_id: str, kind: str, value: str, replacement: str) -> None:
        """Keep a rule a person added (adding it again brings a removed one back, with the new value)."""
        self._execute(
            "INSERT INTO style_rules(rule_id, workspace, kind, value, replacement, doc_id, source, edited, updated) "
            "VALUES (?, ?, ?, ?, ?, NULL, '', 1, ?) ON CONFLICT(rule_id) DO UPDATE SET value = excluded.value, "
            "replacement = excluded.replacement, removed = 0, updated = excluded.updated",
            (rule_id, workspace, kind, value, replacement, time.time()))

    def edit_rule(self, rule_id: str, value: str, replacement: str) -> None:
        """Change a rule's value and replacement, marked as a person's edit (a guide read again keeps it)."""
        self._execute("UPDATE style_rules SET value = ?, replacement = ?, edited = 1, updated = ? WHERE rule_id = ?",
                      (value, replacement, time.time(), rule_id))

    def remove_rule(self, rule_id: str) -> None:
        """Mark a rule removed (kept, so a guide read again doesn't bring it back)."""
        self._execute("UPDATE style_rules SET removed = 1, updated = ? WHERE rule_id = ?", (time.time(), rule_id))
