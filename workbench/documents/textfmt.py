"""Plain text and Markdown in and out.

Plain text: each non-empty line is a paragraph (blank lines and line order are
kept on export). Markdown: a paragraph is a run of lines up to a blank line;
headings, list items, block quotes and table rows are their own blocks, their
markers (``#``, ``-``, ``1.``, ``>``, ``|``) kept outside the text as prefix and
suffix. Inline emphasis, code and links become placeholders. Fenced code blocks
are left untranslated.
"""
from __future__ import annotations

import re
from typing import Any

from workbench.documents import tags
from workbench.documents.docx import Block

_MD_PREFIX = re.compile(r"^(\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+(?:\[[ xX]\]\s+)?|\d{1,3}[.)]\s+))")
_CJK_END = re.compile(r"[\u3000-\u9fff\uff00-\uffef]$")
_CJK_START = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MD_INLINE = re.compile(
    r"(?P<code>`[^`\n]+`)"
    r"|(?P<image>!\[[^\]\n]*\]\([^)\n]*\))"
    r"|(?P<link>\[(?P<link_text>[^\]\n]+)\]\((?P<link_url>[^)\n]+)\))"
    r"|(?P<strong>(?P<smark>\*\*|__)(?P<strong_text>.+?)(?P=smark))"
    r"|(?P<em>(?<![*\\])\*(?![\s*])(?P<em_text>[^*\n]+?)\*(?!\*)|(?<![_\w])_(?!\s)(?P<em2_text>[^_\n]+?)_(?![_\w]))")


def decode(data: bytes) -> str:
    """Bytes of a text file as text, by the workbench's one decoding rule (BOM, UTF-8, GB18030)."""
    from workbench.files.decoding import decode as decode_text
    from workbench.messages import msg

    return decode_text(data, msg("the text file"))[0]


def read_txt(text: str) -> list[Block]:
    """Each non-empty line is a paragraph block; locator = line number."""
    blocks = []
    for number, line in enumerate(text.splitlines()):
        stripped = line.strip()
        if stripped and any(ch.isalpha() for ch in stripped):
            indent = line[:len(line) - len(line.lstrip())]
            blocks.append(Block(f"line:{number}", "paragraph", "", stripped,
                                {"_prefix": {"type": "layout", "text": indent}}))
    return blocks


def write_txt(original: str, translations: dict[str, str]) -> str:
    """The original text with each translated line replaced (placeholders removed)."""
    lines = original.splitlines()
    for number, line in enumerate(lines):
        translated = translations.get(f"line:{number}")
        if translated is not None:
            indent = line[:len(line) - len(line.lstrip())]
            lines[number] = indent + tags.strip_tags(translated)
    return "\n".join(lines) + ("\n" if original.endswith("\n") else "")


def _md_inline_to_tags(text: str) -> tuple[str, dict[str, dict[str, Any]]]:
    table: dict[str, dict[str, Any]] = {}
    counter = [0]

    def new_tag(definition: dict[str, Any]) -> str:
        counter[0] += 1
        table[str(counter[0])] = definition
        return str(counter[0])

    def replace(match: re.Match[str]) -> str:
        if match.group("code") or match.group("image"):
            tag = new_tag({"type": "standalone", "label": "code" if match.group("code")
                           else "picture", "markup": match.group(0)})
            return "{%s/}" % tag
        if match.group("link"):
            tag = new_tag({"type": "pair", "label": "link", "open": "[",
                           "close": f"]({match.group('link_url')})"})
            inner, inner_tags = _md_inline_to_tags(match.group("link_text"))
            return "{%s}%s{/%s}" % (tag, _renumber(inner, inner_tags, table, counter), tag)
        if match.group("strong"):
            marker = match.group("smark")
            tag = new_tag({"type": "pair", "label": "bold", "open": marker, "close": marker})
            inner, inner_tags = _md_inline_to_tags(match.group("strong_text"))
            return "{%s}%s{/%s}" % (tag, _renumber(inner, inner_tags, table, counter), tag)
        marker = "*" if match.group("em_text") is not None else "_"
        inner_text = match.group("em_text") if marker == "*" else match.group("em2_text")
        tag = new_tag({"type": "pair", "label": "italic", "open": marker, "close": marker})
        return "{%s}%s{/%s}" % (tag, inner_text, tag)

    return _MD_INLINE.sub(replace, text), table


def _renumber(inner: str, inner_tags: dict[str, dict[str, Any]],
              table: dict[str, dict[str, Any]], counter: list[int]) -> str:
    mapping = {}
    for old, definition in inner_tags.items():
        counter[0] += 1
        mapping[old] = str(counter[0])
        table[str(counter[0])] = definition
    return tags.TAG.sub(lambda m: "{%s%s%s}" % (m.group(1), mapping.get(m.group(2), m.group(2)),
                                                m.group(3)), inner)


def read_markdown(text: str) -> tuple[list[Block], list[Any]]:
    """Blocks of a Markdown file and its skeleton.

    The skeleton is the list of output lines: a plain string, ``("block", locator)``
    where a block's text goes, or ``("row", cells)`` for a table row.
    """
    lines = text.splitlines()
    blocks: list[Block] = []
    skeleton: list[Any] = []
    in_fence = False
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            joined = paragraph[0].strip()
            for part in paragraph[1:]:
                part = part.strip()
                # Chinese lines wrapped in the source join without a space.
                cjk = _CJK_END.search(joined) and _CJK_START.match(part)
                joined += ("" if cjk else " ") + part
            add_block("paragraph", "", joined, "")
            paragraph.clear()

    def add_block(kind: str, prefix: str, body: str, suffix: str) -> None:
        tagged, table = _md_inline_to_tags(body.strip())
        if not any(ch.isalpha() for ch in tags.strip_tags(tagged)):
            skeleton.append(prefix + body + suffix)
            return
        locator = f"md:{len(blocks)}"
        table["_prefix"] = {"type": "layout", "text": prefix}
        table["_suffix"] = {"type": "layout", "text": suffix}
        blocks.append(Block(locator, kind, "", tagged, table))
        skeleton.append(("block", locator))

    for line in lines:
        if line.lstrip().startswith(("```", "~~~")):
            flush()
            in_fence = not in_fence
            skeleton.append(line)
            continue
        if in_fence or not line.strip():
            flush()
            skeleton.append(line)
            continue
        if line.lstrip().startswith("|"):
            flush()
            if _MD_TABLE_RULE.match(line):
                skeleton.append(line)
                continue
            cells = line.strip().strip("|").split("|")
            # A table row: each cell a block, the row rebuilt from its cells.
            row: list[Any] = []
            for cell in cells:
                tagged, table = _md_inline_to_tags(cell.strip())
                if any(ch.isalpha() for ch in tags.strip_tags(tagged)):
                    locator = f"md:{len(blocks)}"
                    blocks.append(Block(locator, "cell", "", tagged, table))
                    row.append(("block", locator))
                else:
                    row.append(cell.strip())
            skeleton.append(("row", row))
            continue
        prefix_match = _MD_PREFIX.match(line)
        if prefix_match:
            flush()
            prefix = prefix_match.group(1)
            kind = "heading" if prefix.strip().startswith("#") else \
                "quote" if prefix.strip().startswith(">") else "list"
            add_block(kind, prefix, line[len(prefix):], "")
            continue
        paragraph.append(line)
    flush()
    return blocks, skeleton


def _md_tags_to_markup(text: str, table: dict[str, dict[str, Any]]) -> str:
    out = []
    for token in tags.tokens(text):
        definition = table.get(token.value, {}) if token.kind != "text" else {}
        if token.kind == "text":
            out.append(token.value)
        elif token.kind == "open":
            out.append(definition.get("open", ""))
        elif token.kind == "close":
            out.append(definition.get("close", ""))
        else:
            out.append(definition.get("markup", ""))
    return "".join(out)


def write_markdown(skeleton: list[Any], blocks: dict[str, Block],
                   translations: dict[str, str]) -> str:
    """The Markdown file rebuilt from its skeleton with translated blocks."""
    lines = []
    for item in skeleton:
        if isinstance(item, str):
            lines.append(item)
        elif item[0] == "block":
            block = blocks[item[1]]
            text = translations.get(item[1], block.text)
            prefix = block.tags.get("_prefix", {}).get("text", "")
            suffix = block.tags.get("_suffix", {}).get("text", "")
            lines.append(prefix + _md_tags_to_markup(text, block.tags) + suffix)
        else:  # a table row
            cells = []
            for cell in item[1]:
                if isinstance(cell, str):
                    cells.append(cell)
                else:
                    block = blocks[cell[1]]
                    cells.append(_md_tags_to_markup(translations.get(cell[1], block.text),
                                                    block.tags))
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
