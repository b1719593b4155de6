"""Markdown structure that the model must not touch, found by a CommonMark parser (markdown-it-py).

`blocks()` lists a document's leaf blocks (paragraphs, headings, code, HTML, tables, rules) with
their source lines. `runs()` cuts a document into runs that are either prose for the model or
structure copied as is: code blocks of every kind, HTML, link reference definitions, rules, blank
lines, heading, list and quote markers, table pipes and delimiter rows. Joined back together the
runs are exactly the document. Inside prose, `hide_links()` / `restore_links()` keep inline code,
link targets, autolinks and inline HTML byte-identical whatever the model writes.

Text in which the parser finds no Markdown is plain text: it is cut at blank lines only, so an
indented paragraph of a letter is not mistaken for a code block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.common.html_re import HTML_TAG_RE
from markdown_it.rules_inline.autolink import AUTOLINK_RE, EMAIL_RE
from markdown_it.helpers import parseLinkLabel
from markdown_it.rules_inline import StateInline

_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+$")  # the parser's lines: \n, \r\n and \r end one
_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")
_ATX = re.compile(r"(#{1,6}(?:[ \t]+|$))(.*?)((?:[ \t]+#+)?[ \t]*)$")
_MARKER = re.compile(r"[ \t]*(?:(>)[ \t]?|(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)(?:\[[ xX]\](?:[ \t]+|$))?)")
_QUOTE = re.compile(r"[ \t]*>[ \t]?")
_CELL_SPLIT = re.compile(r"([ \t]*(?<!\\)\|[ \t]*)")
_LEAVES = {"paragraph_open": "paragraph", "heading_open": "heading", "fence": "code", "code_block": "code",
           "html_block": "html", "hr": "rule", "table_open": "table"}
_MAY_HAVE_VERBATIM = re.compile(r"```|~~~|<|\t|    ")  # no code or HTML block without one of these
_MARKDOWN_BLOCKS = {"heading", "html", "table"}  # a code block counts only when fenced (see _is_markdown)


@dataclass(frozen=True)
class Run:
    text: str
    prose: bool  # True: send to the model; False: copy as is
    one_line: bool = False  # a heading, table cell or line of a list or quote: must stay on its line


@dataclass(frozen=True)
class Block:
    kind: str  # paragraph, heading, code, html, rule or table
    start: int  # first line (0-based)
    end: int  # line after the last
    quotes: int = 0  # enclosing block quotes
    items: int = 0  # enclosing list items
    fenced: bool = False  # a code block between ``` or ~~~ fences
    setext: bool = False  # a heading underlined with = or -


@dataclass(frozen=True)
class Outline:
    """A document's lines and leaf blocks, and whether it is Markdown at all."""
    lines: list[str]
    blocks: list[Block]
    markdown: bool


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # Block rules only: inline content is parsed per prose piece by hide_links.
    return MarkdownIt("commonmark").enable("table").disable("inline")


def lines_of(text: str) -> list[str]:
    """Lines with their line ends, numbered as the parser numbers them."""
    return _LINE.findall(text)


def blocks(text: str) -> list[Block]:
    return parse_blocks(text)[0]


def parse_blocks(text: str, env: dict | None = None) -> tuple[list[Block], list[int]]:
    """The leaf blocks in document order, and the first lines of the top-level blocks."""
    out: list[Block] = []
    tops: list[int] = []
    quotes = items = 0
    in_table = False
    for token in _parser().parse(text, {} if env is None else env):
        kind = token.type
        if token.level == 0 and token.nesting >= 0 and token.map:
            tops.append(token.map[0])
        if kind in ("blockquote_open", "blockquote_close"):
            quotes += 1 if kind.endswith("open") else -1
        elif kind in ("list_item_open", "list_item_close"):
            items += 1 if kind.endswith("open") else -1
        elif kind == "table_close":
            in_table = False
        elif kind in _LEAVES and not in_table and token.map:
            out.append(Block(_LEAVES[kind], token.map[0], token.map[1], quotes, items, fenced=kind == "fence",
                             setext=kind == "heading_open" and token.markup in ("=", "-")))
            in_table = kind == "table_open"
    return out, tops


def outline(text: str) -> Outline:
    env: dict = {}
    found = parse_blocks(text, env)[0]
    lines = lines_of(text)
    return Outline(lines, found, _is_markdown(found, env, lines))


def _is_markdown(found: list[Block], env: dict, lines: list[str]) -> bool:
    """Markdown shows itself by fences, ATX headings, tables, HTML, lists, quotes, link definitions or
    inline code and links; rules, underlined titles and indented lines alone are common in plain text."""
    if env.get("references"):
        return True
    for block in found:
        if block.quotes or block.items or block.fenced or (block.kind in _MARKDOWN_BLOCKS and not block.setext):
            return True
    return any(hide_links("".join(lines[b.start : b.end]))[1] for b in found if b.kind == "paragraph")


def prose_runs(text: str) -> list[Run]:
    """Text as one prose run, its surrounding whitespace kept aside as structure."""
    if not text.strip():
        return [Run(text, False)] if text else []
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()):]
    core = text.strip()
    out = [Run(lead, False)] if lead else []
    out.append(Run(core, any(c.isalpha() for c in core)))
    if trail:
        out.append(Run(trail, False))
    return out


def _paragraph_runs(text: str) -> list[Run]:
    out: list[Run] = []
    start = 0
    for m in _BLANK_LINES.finditer(text):
        out.extend(prose_runs(text[start : m.start()]))
        out.append(Run(m.group(), False))
        start = m.end()
    out.extend(prose_runs(text[start:]))
    return out


def runs(text: str, whole_plain: bool = False) -> list[Run]:
    """Prose and structure runs of `text`. Plain text is cut at blank lines, or with `whole_plain`
    kept as one run (a rewrite reads it as a whole)."""
    doc = outline(text)
    if not doc.markdown:
        return [r for r in (prose_runs(text) if whole_plain else _paragraph_runs(text)) if r.text]
    out: list[Run] = []
    lines = doc.lines
    done = 0
    for block in doc.blocks:
        out.extend(Run(line, False) for line in lines[done : block.start])
        inline = block.kind in ("heading", "table") or block.quotes or block.items
        out.extend(replace(r, one_line=True) if inline and r.prose and "\n" not in r.text else r
                   for r in _block_runs(block, lines[block.start : block.end]))
        done = max(done, block.end)
    out.extend(Run(line, False) for line in lines[done:])
    return [r for r in out if r.text]


def _split_end(line: str) -> tuple[str, str]:
    body = line.rstrip("\r\n")
    return body, line[len(body):]


def _container_prefix(line: str, block: Block, first: bool) -> int:
    """Length of the quote and list markers (and indentation) before a block's content on a line.
    List markers only open the first line of a block; later lines can carry only quote markers."""
    pos = 0
    for _ in range(block.quotes + block.items if first else block.quotes):
        m = (_MARKER if first else _QUOTE).match(line, pos)
        if not m:
            break
        pos = m.end()
    return pos + len(line[pos:]) - len(line[pos:].lstrip(" \t"))


def _block_runs(block: Block, lines: list[str]) -> list[Run]:
    if block.kind in ("code", "html", "rule"):
        return [Run("".join(lines), False)]
    if block.kind == "table":
        return _table_runs(block, lines)
    out: list[Run] = []
    if block.kind == "heading" and not block.setext:
        body, end = _split_end(lines[0])
        cut = _container_prefix(body, block, first=True)
        m = _ATX.match(body, cut)
        out.append(Run(body[:cut] + m.group(1), False))
        out.extend(prose_runs(m.group(2)))
        out.append(Run(m.group(3) + end, False))
        return out
    underline = lines[-1:] if block.setext else []
    text_lines = lines[:-1] if block.setext else lines
    # Lines whose markers are only indentation stay in one prose run; quote markers split the run.
    cut = _container_prefix(text_lines[0], block, first=True)
    out.append(Run(text_lines[0][:cut], False))
    prose = text_lines[0][cut:]
    for line in text_lines[1:]:
        cut = _container_prefix(line, block, first=False)
        if line[:cut].strip():
            out.extend(prose_runs(prose))
            out.append(Run(line[:cut], False))
            prose = line[cut:]
        else:
            prose += line
    out.extend(prose_runs(prose))
    out.extend(Run(line, False) for line in underline)
    return out


def _table_runs(block: Block, lines: list[str]) -> list[Run]:
    """Cell by cell: pipes, the whitespace around them and the delimiter row stay as they are."""
    out: list[Run] = []
    for number, line in enumerate(lines):
        if number == 1:
            out.append(Run(line, False))
            continue
        body, end = _split_end(line)
        cut = _container_prefix(body, block, first=number == 0)
        out.append(Run(body[:cut], False))
        for part in _CELL_SPLIT.split(body[cut:]):
            out.extend([Run(part, False)] if _CELL_SPLIT.fullmatch(part) else prose_runs(part))
        out.append(Run(end, False))
    return out


def one_line(text: str) -> str:
    """Model output for a run that must stay on its line: line breaks become spaces and pipes are
    escaped, so a table keeps its rows and columns (an escaped pipe reads the same anywhere)."""
    return re.sub(r"(?<!\\)\|", r"\\|", re.sub(r"[ \t]*\n\s*", " ", text))


def verbatim_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of the code and HTML blocks of a Markdown document (none in plain text)."""
    if not _MAY_HAVE_VERBATIM.search(text):
        return []
    doc = outline(text)
    if not doc.markdown:
        return []
    starts = [0]
    for line in doc.lines:
        starts.append(starts[-1] + len(line))
    return [(starts[b.start], starts[b.end]) for b in doc.blocks if b.kind in ("code", "html")]


# -- inline: what inside prose must come back byte-identical ----------------------------------

@dataclass(frozen=True)
class Kept:
    """A piece of a prose run the model must not change: shown to it as is ('code' for inline
    code, 'angle' for autolinks and inline HTML) or taken out ('target', after a link's text)."""
    kind: str
    text: str


_MAY_KEEP = re.compile(r"[`<\[]")  # prose without these has nothing to keep: no need to parse it


class _AnyReference(dict):
    """Reference links resolve without their definitions, which lie outside the piece being parsed."""

    def get(self, key, default=None):
        return {"href": "", "title": ""}


def _recording(rule, kind: str):
    def record(state, silent: bool) -> bool:
        start, tokens = state.pos, len(state.tokens)
        if not rule(state, silent):
            return False
        if not silent and len(state.tokens) > tokens:  # an unmatched backtick string is only text
            state.env["kept"].append((kind, start, state.pos))
        return True
    return record


@lru_cache(maxsize=1)
def _inline_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark")
    for name, kind in (("backticks", "code"), ("autolink", "angle"), ("html_inline", "angle"),
                       ("link", "link"), ("image", "image")):
        rule = next(r.fn for r in md.inline.ruler.__rules__ if r.name == name)
        md.inline.ruler.at(name, _recording(rule, kind))
    return md


def hide_links(text: str) -> tuple[str, list[Kept]]:
    """Takes link targets out ('[docs](http://x)' becomes '[docs]') and notes inline code, autolinks and
    inline HTML, in order, so that restore_links can put them back exactly."""
    if not _MAY_KEEP.search(text):
        return text, []
    md = _inline_parser()
    env = {"kept": [], "references": _AnyReference()}
    md.parseInline(text, env)
    if not env["kept"] or "\r\n" in text:  # the parser's positions count \r\n as one character
        return text, []
    kept: list[tuple[int, Kept]] = []
    cuts: list[tuple[int, int]] = []
    for kind, start, end in env["kept"]:
        if kind in ("code", "angle"):
            kept.append((start, Kept(kind, text[start:end])))
            continue
        label_end = _label_end(md, text, start + (kind == "image"), nested=kind == "image")
        target = text[label_end + 1 : end]
        if target in ("", "[]"):  # [label] and [label][]: the text is the reference; leave it to the reader
            continue
        kept.append((label_end + 1, Kept("target", target)))
        cuts.append((label_end + 1, end))
    hidden, done = [], 0
    for start, end in sorted(cuts):
        hidden.append(text[done:start])
        done = end
    hidden.append(text[done:])
    return "".join(hidden), [k for _, k in sorted(kept, key=lambda pair: pair[0])]


def _label_end(md: MarkdownIt, text: str, start: int, nested: bool) -> int:
    """Where the text of the link or image opening at `start` ends, found as the parser finds it."""
    state = StateInline(text, md, {"kept": [], "references": _AnyReference()}, [])
    return parseLinkLabel(state, start, disableNested=not nested)


# What the model's output is searched for, as CommonMark reads it: code spans, autolinks and HTML
# tags, and bracketed texts (a code span inside one may hold brackets; an image may nest in it).
def _code(ticks: str) -> str:
    return rf"(?<!`)(?P<{ticks}>`+)(?!`).+?(?<!`)(?P={ticks})(?!`)"


# Autolinks and HTML tags, by the parser's own patterns.
_ANGLE = rf"<(?:{AUTOLINK_RE.pattern[1:-1]}|{EMAIL_RE.pattern[1:-1]})>|{HTML_TAG_RE.pattern}"
_SHAPES = re.compile(rf"(?P<code>{_code('t1')})|(?P<angle>{_ANGLE})"
                     rf"|(?P<bracket>!?\[(?:{_code('t2')}|[^\[\]\n`]|!?\[(?:{_code('t3')}|[^\[\]\n`])*\])*\])(?![(\[])",
                     re.DOTALL)


def restore_links(text: str, kept: list[Kept]) -> str:
    """Puts back, in order, each inline code span and angle-bracketed part where the model wrote one and
    each link target after a bracketed text; whatever the model dropped is appended."""
    queues = {kind: [k.text for k in kept if k.kind == kind][::-1] for kind in ("code", "angle", "target")}

    def put(m: re.Match) -> str:
        for kind in ("code", "angle"):
            if m.group(kind):
                return queues[kind].pop() if queues[kind] else m.group()
        bracket = m.group("bracket")
        inner = _SHAPES.sub(put, bracket[bracket.index("[") + 1 : -1])  # code and images inside the text
        whole = bracket[: bracket.index("[") + 1] + inner + "]"
        return whole + queues["target"].pop() if queues["target"] else whole

    restored = _SHAPES.sub(put, text)
    dropped = queues["code"][::-1] + queues["angle"][::-1] + [_shown(t) for t in queues["target"][::-1]]
    return restored + " " + " ".join(dropped) if dropped else restored


def _shown(target: str) -> str:
    """A dropped link target as a link of its own: '(http://x "T")' becomes '[http://x](http://x "T")'."""
    inner = target[1:-1].split()
    return f"[{inner[0] if inner else target}]{target}"


# Markdown a model could see in a piece: line markers, emphasis, code, links, table pipes, tags.
_MARKUP = re.compile(r"^\s*(?:#{1,6}\s|>|[-*+]\s|\d+[.)]\s|```|~~~|\|)|\*\*|__|`|!?\[[^\]\n]*\]|(?<!\w)[*_]\S|<[a-z/][^>]*>",
                     re.MULTILINE)


def has_markup(text: str) -> bool:
    return bool(_MARKUP.search(text))


def inline_verbatim(text: str) -> list[tuple[int, int]]:
    """Character ranges of a piece of prose that are not words to read: inline code, autolinks,
    inline HTML and link and image targets (a link's text is prose). Found by the same parser as
    hide_links; a spell checker skips them."""
    if not _MAY_KEEP.search(text):
        return []
    md = _inline_parser()
    env = {"kept": [], "references": _AnyReference()}
    md.parseInline(text, env)
    out = []
    for kind, start, end in env["kept"]:
        if kind in ("code", "angle"):
            out.append((start, end))
        else:
            out.append((_label_end(md, text, start + (kind == "image"), nested=kind == "image") + 1, end))
    return out


def front_matter_end(lines: list[str]) -> int:
    """The number of lines of a YAML front matter block ('---' … '---' or '...') at the very start of a
    document, or 0. CommonMark has no front matter, so the parser would read it as a rule and a heading."""
    if not lines or lines[0].rstrip() != "---":
        return 0
    for number, line in enumerate(lines[1:200], start=1):
        if line.rstrip() in ("---", "..."):
            return number + 1
    return 0
