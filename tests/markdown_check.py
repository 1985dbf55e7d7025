"""Is anything live in this Markdown? Rendered as CommonMark + GFM with linkify, and read as Streamlit's renderer reads it.

Streamlit draws Markdown with react-markdown + remark-gfm. Its literal autolinks
(``www.x.com``, ``https://x``, ``a@b.com``) are found in text nodes *after*
backslash escapes are resolved (mdast-util-gfm-autolink-literal), so an escaped
``https\\:\\/\\/x`` is still a link there. :func:`live_parts` renders with
markdown-it-py's ``gfm-like`` preset (tables, strikethrough, linkify: stricter
than GFM, it also links ``example.com`` and ``//host``) and also checks every
run of text as remark merges it against GFM's autolink patterns.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

_RENDERER = MarkdownIt("gfm-like")
# what GFM's autolink literal extension links (www., http(s)://, e-mail; mailto:/xmpp: hold an e-mail too)
_GFM_AUTOLINK = re.compile(r"(?i)(?:https?://|www\.)[-\w]|[-.\w+]+@[-\w]+\.[-\w]")
_LIVE_TOKENS = {"link_open", "image", "html_inline", "html_block"}


def _merged_text_runs(tokens) -> list[str]:
    runs: list[str] = []
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        current = ""
        for child in token.children:
            if child.type in ("text", "text_special"):
                current += child.content
            elif child.type in ("softbreak", "hardbreak"):
                current += "\n"
            else:
                runs.append(current)
                current = ""
        runs.append(current)
    return [r for r in runs if r]


def _walk(tokens):
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def live_parts(markdown: str) -> list[str]:
    """What in ``markdown`` would be a link, an image, raw HTML or an autolink; empty when all of it is inert."""
    tokens = _RENDERER.parse(markdown)
    found = [f"{t.type}: {t.attrs or t.content!r}" for t in _walk(tokens) if t.type in _LIVE_TOKENS]
    html = _RENDERER.render(markdown)
    found += [f"tag {m.group(0)}" for m in re.finditer(r"<(a|img)\b[^>]*>", html)]
    found += [f"GFM autolink in {run!r}" for run in _merged_text_runs(tokens) if _GFM_AUTOLINK.search(run)]
    return found


def shown_text(markdown: str) -> str:
    """The text a reader sees once ``markdown`` is rendered: escapes resolved, code spans as their content."""
    parts = []
    for token in _walk(_RENDERER.parse(markdown)):
        if token.type in ("text", "text_special", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)
