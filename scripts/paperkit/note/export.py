"""Publishing a note folder: one self-contained HTML file, a zip of the folder, or a note in an Obsidian vault.

Stages, each a function with plain data in and out:
  load_note (README.md + paper.yaml) -> scan_links (every link with its file:line) -> check_links (each local link
  resolves inside the note folder) -> build_html | build_zip | build_obsidian (bytes / files in memory, no writes)
  -> write_* (atomic, never over an existing output without --force).

The HTML needs the optional extra (markdown-it-py, mdit-py-plugins, latex2mathml); zip and Obsidian need only the
runtime dependencies.
"""
from __future__ import annotations

import base64
import html
import io
import os
import re
import shutil
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from ..io import yamlio
from ..io.errors import OutputError, UserError
from ..io.fsutil import atomic_write_bytes, ensure_dir, staging_dir

NOTE_FILE = "README.md"
META_FILE = "paper.yaml"
PDF_FILE = "paper.pdf"
IMAGES_DIR = "images"
FORMATS = ("html", "zip", "obsidian")
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}
EXPORT_EXTRA = ("markdown-it-py>=3", "mdit-py-plugins>=0.4", "latex2mathml>=3.77")


# ---------------------------------------------------------------------------------------------------------------
# The note folder


@dataclass
class Note:
    """A note folder as found on disk: README.md's text and paper.yaml's fields."""

    dir: Path
    text: str
    meta: dict[str, Any]

    @property
    def short(self) -> str:
        return self.dir.name

    @property
    def readme(self) -> Path:
        return self.dir / NOTE_FILE


def load_note(path: Path) -> Note:
    """Reads a note folder (or its README.md); a folder without README.md is the user's mistake."""
    path = Path(path).expanduser()
    if path.is_file() and path.name == NOTE_FILE:
        path = path.parent
    if not path.exists():
        raise UserError(f"{path} does not exist; give the note folder, e.g. paper-notes/<short>/")
    if not path.is_dir():
        raise UserError(f"{path} is not a note folder; give the folder that holds {NOTE_FILE}")
    readme = path / NOTE_FILE
    if not readme.is_file():
        raise UserError(f"{path} has no {NOTE_FILE}; give the note folder, e.g. paper-notes/<short>/")
    try:
        text = readme.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{readme} is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    return Note(dir=path.resolve(), text=text, meta=read_meta(path / META_FILE))


def read_meta(path: Path) -> dict[str, Any]:
    """paper.yaml as a dict; an absent file is an empty dict, a broken one an error naming the line."""
    if not path.is_file():
        return {}
    try:
        data = yamlio.load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or "syntax error"
        raise UserError(f"{where}: not valid YAML ({problem}); fix it or remove it") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a mapping of fields (title:, authors:, ...), found {type(data).__name__}")
    return data


@dataclass
class PaperFields:
    """The paper's identity as a publication needs it."""

    title: str = ""
    authors: list[str] = field(default_factory=list)
    venue: str = ""
    year: int | str | None = None
    arxiv: str = ""
    tags: list[str] = field(default_factory=list)

    @property
    def arxiv_url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv}" if self.arxiv else ""


_ARXIV_RE = re.compile(r"(\d{4}\.\d{4,5}|[a-z][a-z.\-]*/\d{7})(v\d+)?", re.IGNORECASE)


def normalize_arxiv(value: Any) -> str:
    """'arXiv:1706.03762v5', 'https://arxiv.org/abs/1706.03762' -> '1706.03762'; '' when there is none."""
    if value is None:
        return ""
    m = _ARXIV_RE.search(str(value))
    return m.group(1) if m else ""


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        parts = re.split(r"\s*;\s*|\s*,\s*|\s+and\s+", value) if ("," in value or ";" in value) else [value]
        return [p.strip() for p in parts if p.strip()]
    out = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            item = item.get("name") or " ".join(str(item.get(k, "")) for k in ("given", "family")).strip()
        if item:
            out.append(str(item).strip())
    return out


def paper_fields(meta: dict[str, Any], front_matter: dict[str, Any] | None = None) -> PaperFields:
    """Reads the fields from paper.yaml (the note's own front matter fills what paper.yaml lacks)."""
    merged = {**(front_matter or {}), **{k: v for k, v in meta.items() if v not in (None, "", [])}}
    tags = merged.get("tags") or merged.get("keywords") or []
    if isinstance(tags, str):
        tags = [t for t in re.split(r"[,;]", tags)]
    year = merged.get("year")
    if isinstance(year, str) and year.strip().isdigit():
        year = int(year.strip())
    venue = merged.get("venue") or ""
    if isinstance(venue, dict):
        venue = venue.get("name", "")
    return PaperFields(
        title=str(merged.get("title") or "").strip(),
        authors=_names(merged.get("authors")),
        venue=str(venue).strip(),
        year=year,
        arxiv=normalize_arxiv(merged.get("arxiv") or merged.get("arxiv_id") or merged.get("url")),
        tags=[str(t).strip() for t in tags if str(t).strip()],
    )


_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?(---|\.\.\.)[ \t]*(\r?\n|\Z)", re.DOTALL)


def split_front_matter(text: str) -> tuple[dict[str, Any], str, int]:
    """(fields, body, lines taken by the block) of a note that may start with a YAML front matter block."""
    m = _FRONT_MATTER_RE.match(text)
    if not m:
        return {}, text, 0
    try:
        data = yamlio.load(m.group(1) or "") or {}
    except yaml.YAMLError:
        raise UserError(f"{NOTE_FILE}:1: the front matter block (between --- lines) is not valid YAML") from None
    if not isinstance(data, dict):
        data = {}
    return data, text[m.end():], text[: m.end()].count("\n")


# ---------------------------------------------------------------------------------------------------------------
# Links


@dataclass(frozen=True)
class Link:
    """One link or image in the note, with where its target is written (1-based line, 0-based columns)."""

    line: int
    start: int
    end: int
    target: str
    image: bool

    @property
    def is_local(self) -> bool:
        t = self.target
        return bool(t) and not t.startswith(("#", "//")) and not re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", t)

    @property
    def path(self) -> str:
        """The file part of a local target: no #fragment or ?query, %-escapes decoded, ./ removed."""
        t = re.split(r"[#?]", self.target, maxsplit=1)[0]
        return os.path.normpath(unquote(t)).replace(os.sep, "/") if t else ""


_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN_RE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
# ![alt](dest "title") and [text](dest): one level of nested brackets and of parentheses in the destination
_INLINE_LINK_RE = re.compile(
    r"(!?)\[(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*\]\(\s*(<[^<>\n]*>|(?:[^()\s\\]|\\.|\([^()\s]*\))+)"
    r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^()]*\)))?\s*\)"
)
_REF_DEF_RE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^<>\n]*>|\S+)")
_HTML_ATTR_RE = re.compile(r"<(img|a|source)\b[^>]*?\b(src|href)\s*=\s*(\"[^\"]*\"|'[^']*')", re.IGNORECASE)


def _blank(m: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", m.group(0))


def scan_links(text: str) -> list[Link]:
    """Every link and image written in the note, outside fenced code, code spans and HTML comments."""
    masked = _COMMENT_RE.sub(_blank, text)
    links: list[Link] = []
    fence: str | None = None
    for number, line in enumerate(masked.split("\n"), start=1):
        m = _FENCE_RE.match(line)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not line[m.end():].strip():
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        line = _CODE_SPAN_RE.sub(_blank, line)
        links.extend(_inline_links(line, number, 0, len(line)))
        rm = _REF_DEF_RE.match(line)
        if rm:
            dest, start = rm.group(1), rm.start(1)
            if dest.startswith("<"):
                dest, start = dest[1:-1], start + 1
            is_image = Path(dest.split("#")[0]).suffix.lower() in IMAGE_TYPES
            links.append(Link(number, start, start + len(dest), dest, is_image))
        for hm in _HTML_ATTR_RE.finditer(line):
            dest = hm.group(3)[1:-1]
            links.append(Link(number, hm.start(3) + 1, hm.end(3) - 1, dest, hm.group(1).lower() != "a"))
    return links


def _inline_links(line: str, number: int, pos: int, endpos: int) -> list[Link]:
    """[text](dest) and ![alt](dest) in line[pos:endpos], with images inside a link's text ([![img](a)](b))."""
    found = []
    for lm in _INLINE_LINK_RE.finditer(line, pos, endpos):
        text_start = lm.start() + len(lm.group(1)) + 1
        if "![" in line[text_start:lm.start(2)]:
            found.extend(_inline_links(line, number, text_start, lm.start(2)))
        dest, start = lm.group(2), lm.start(2)
        if dest.startswith("<"):
            dest, start = dest[1:-1], start + 1
        found.append(Link(number, start, start + len(dest), dest.replace("\\", ""), lm.group(1) == "!"))
    return found


@dataclass(frozen=True)
class LocalFile:
    """A local link target that exists inside the note folder."""

    rel: str  # path relative to the note folder, with /
    path: Path


def check_links(note: Note, links: list[Link], ignore: frozenset[Link] = frozenset()) -> dict[str, LocalFile]:
    """Each local link must name a file inside the note folder; the first failures are named by file:line.

    Links in ignore are rewritten by the export (paper.pdf -> the arXiv page) and need no file.
    """
    problems: list[str] = []
    found: dict[str, LocalFile] = {}
    root = note.dir
    for link in links:
        if not link.is_local or link in ignore:
            continue
        rel = link.path
        where = f"{NOTE_FILE}:{link.line}"
        if not rel or rel == ".":
            continue
        candidate = (root / rel).resolve()
        if rel.startswith("/") or not candidate.is_relative_to(root):
            problems.append(f"{where}: {link.target} points outside the note folder; link a file inside it")
        elif not candidate.is_file():
            what = "is a folder, not a file" if candidate.is_dir() else "does not exist"
            problems.append(f"{where}: {link.target} {what}")
        else:
            found[rel] = LocalFile(rel, candidate)
    if problems:
        more = f" (and {len(problems) - 1} more broken link(s))" if len(problems) > 1 else ""
        raise UserError(f"broken link: {problems[0]}{more}; fix the note and run again")
    return found


def rewrite_targets(text: str, replacements: dict[Link, str]) -> str:
    """The note with the given links' targets replaced, everything else byte for byte."""
    if not replacements:
        return text
    lines = text.split("\n")
    for link in sorted(replacements, key=lambda k: (k.line, -k.start)):
        s = lines[link.line - 1]
        lines[link.line - 1] = s[: link.start] + replacements[link] + s[link.end:]
    return "\n".join(lines)


def pdf_replacements(note: Note, links: list[Link], with_pdf: bool) -> dict[Link, str]:
    """Links to paper.pdf when the PDF is not shipped: pointed at the arXiv page, else the user must choose."""
    if with_pdf:
        return {}
    pdf_links = [lk for lk in links if lk.is_local and lk.path == PDF_FILE]
    if not pdf_links:
        return {}
    url = paper_fields(note.meta).arxiv_url
    if not url:
        first = pdf_links[0]
        raise UserError(
            f"{NOTE_FILE}:{first.line}: the note links {PDF_FILE} but the export leaves it out; "
            "pass --with-pdf, or put the arXiv id in paper.yaml (arxiv:) so the link can point there"
        )
    return {lk: url for lk in pdf_links}


# ---------------------------------------------------------------------------------------------------------------
# Results


@dataclass
class ExportResult:
    format: str
    out: Path
    files: list[str] = field(default_factory=list)
    images: int = 0
    formulas: int = 0
    formulas_failed: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    bytes: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "out": str(self.out),
            "files": self.files,
            "images": self.images,
            "formulas": self.formulas,
            "formulas_failed": self.formulas_failed,
            "warnings": self.warnings,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 3),
        }


# ---------------------------------------------------------------------------------------------------------------
# HTML


def _load_markdown_stack() -> tuple[Any, ...]:
    """The optional export extra, or one line saying how to install it."""
    try:
        from latex2mathml.converter import convert
        from markdown_it import MarkdownIt
        from mdit_py_plugins.anchors import anchors_plugin
        from mdit_py_plugins.dollarmath import dollarmath_plugin
        from mdit_py_plugins.front_matter import front_matter_plugin
    except ImportError as exc:
        missing = getattr(exc, "name", None) or str(exc)
        pkgs = " ".join(f'"{p}"' for p in EXPORT_EXTRA)
        raise UserError(
            f"the HTML export needs the export extra ({missing} is not installed): "
            f"{Path(sys.executable).name} -m pip install {pkgs}   (or: pip install \".[export]\" in the skill folder)"
        ) from None
    return MarkdownIt, anchors_plugin, dollarmath_plugin, front_matter_plugin, convert


# LaTeX that papers write and latex2mathml does not know, rewritten to what it does know (or dropped).
_LATEX_FIXES = (
    (re.compile(r"\\(nonumber|notag)\b"), ""),
    (re.compile(r"\\label\{[^{}]*\}"), ""),
    (re.compile(r"\\arg(?![A-Za-z])"), r"\\operatorname{arg}"),
    (re.compile(r"\\(begin|end)\{(aligned|alignedat|align)\}(\{\d+\})?"), r"\\\1{align*}"),
    (re.compile(r"\\begin\{(gathered|gather\*?)\}"), r"\\begin{array}{c}"),
    (re.compile(r"\\end\{(gathered|gather\*?)\}"), r"\\end{array}"),
    (re.compile(r"\\(begin|end)\{equation\*?\}"), ""),
)
_UNKNOWN_COMMAND_RE = re.compile(r">(\\[A-Za-z]+)<")
_MATH_OPEN_RE = re.compile(r"^<math\b[^>]*>")


class MathError(ValueError):
    pass


def latex_to_mathml(latex: str, display: bool, convert: Any) -> str:
    """One formula as MathML with its LaTeX kept as an annotation; MathError when it cannot be converted."""
    src = latex.strip()
    for pattern, repl in _LATEX_FIXES:
        src = pattern.sub(repl, src)
    try:
        out = convert(src, display="block" if display else "inline")
    except Exception as exc:  # noqa: BLE001 -- latex2mathml raises many unrelated types for bad input
        raise MathError(f"{type(exc).__name__} {exc}".strip()) from None
    unknown = _UNKNOWN_COMMAND_RE.search(out)
    if unknown:
        raise MathError(f"unsupported command {unknown.group(1)}")
    if "<mi>&</mi>" in out:
        raise MathError("alignment & outside an environment latex2mathml aligns")
    m = _MATH_OPEN_RE.match(out)
    if not m or not out.endswith("</math>"):
        raise MathError("unexpected converter output")
    inner = out[m.end(): -len("</math>")]
    mode = "block" if display else "inline"
    return (
        f'<math xmlns="http://www.w3.org/1998/Math/MathML" display="{mode}"><semantics><mrow>{inner}</mrow>'
        f'<annotation encoding="application/x-tex">{html.escape(latex.strip(), quote=False)}</annotation>'
        "</semantics></math>"
    )


CSS = """
:root { color-scheme: light; }
body { margin: 0; background: #fff; color: #1f2328;
  font: 17px/1.75 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", "Helvetica Neue", Arial,
  "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; }
main { max-width: 48rem; margin: 0 auto; padding: 2.5rem 1.25rem 4rem; }
h1, h2, h3, h4, h5, h6 { line-height: 1.3; margin: 1.8em 0 .6em; font-weight: 650; }
h1 { font-size: 2em; margin-top: .4em; }
h2 { font-size: 1.5em; padding-bottom: .25em; border-bottom: 1px solid #d8dee4; }
h3 { font-size: 1.22em; }
a { color: #0969da; text-decoration: none; } a:hover { text-decoration: underline; }
p, ul, ol, table, pre, blockquote { margin: 0 0 1.1em; }
img { display: block; max-width: 100%; height: auto; margin: 1.2em auto; }
blockquote { margin-left: 0; padding: .5em 1em; color: #3d444d; background: #f6f8fa; border-left: 4px solid #8c959f;
  border-radius: 0 6px 6px 0; }
blockquote > :last-child { margin-bottom: 0; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  font-size: .88em; }
:not(pre) > code { background: #eff1f3; padding: .12em .35em; border-radius: 4px; }
pre { background: #f6f8fa; padding: .9em 1.1em; border-radius: 6px; overflow-x: auto; line-height: 1.5; }
table { border-collapse: collapse; display: block; overflow-x: auto; max-width: 100%; }
th, td { border: 1px solid #d0d7de; padding: .4em .75em; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; } tr:nth-child(2n) td { background: #fafbfc; }
hr { border: 0; border-top: 1px solid #d8dee4; margin: 2em 0; }
math { font-family: "STIX Two Math", "Cambria Math", "Latin Modern Math", "DejaVu Math TeX Gyre", math; }
math[display="block"] { margin: 1em 0; overflow-x: auto; overflow-y: hidden; }
.equation { display: flex; align-items: center; gap: 1em; } .equation math { flex: 1; }
.eqno { color: #57606a; }
.math-error { color: #b42318; white-space: pre-wrap; }
.local-link { border-bottom: 1px dotted #8c959f; }
""".strip()


def _has_cjk(text: str) -> bool:
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return cjk > 20 or cjk > len(text) / 50


@dataclass
class HtmlBuild:
    html: str
    images: int
    formulas: int
    failed: list[dict[str, Any]]
    warnings: list[str]


def _line_of(needle: str, text: str, first_line: int, cursor: dict[int, int], key: int) -> int:
    """The 1-based line of needle inside a block that starts at first_line, searching after the last hit."""
    pos = text.find(needle, cursor.get(key, 0))
    if pos < 0:
        return first_line
    cursor[key] = pos + len(needle)
    return first_line + text.count("\n", 0, pos)


def build_html(note: Note, links: list[Link], local: dict[str, LocalFile]) -> HtmlBuild:
    """The whole note as one HTML document: images as data URIs, formulas as MathML, no script, no network."""
    markdown_it, anchors_plugin, dollarmath_plugin, front_matter_plugin, convert = _load_markdown_stack()
    front, _, _ = split_front_matter(note.text)
    fields = paper_fields(note.meta, front)
    warnings: list[str] = []
    failed: list[dict[str, Any]] = []
    counts = {"formulas": 0, "images": 0}
    data_uris: dict[str, str] = {}
    warned: set[str] = set()

    for link in links:
        if link.image and link.is_local and Path(link.path).suffix.lower() not in IMAGE_TYPES:
            raise UserError(
                f"{NOTE_FILE}:{link.line}: {link.target} is shown as an image but is not one "
                f"({', '.join(sorted(IMAGE_TYPES))})"
            )

    def data_uri(rel: str) -> str:
        if rel not in data_uris:
            # an image the line scanner could not see (e.g. link text wrapped over lines) is checked here
            f = local.get(rel) or check_links(note, [Link(0, 0, 0, rel, True)]).get(rel)
            suffix = Path(rel).suffix.lower()
            if f is None or suffix not in IMAGE_TYPES:
                raise UserError(f"{NOTE_FILE}: {rel} is shown as an image but is not one; fix the note")
            data_uris[rel] = f"data:{IMAGE_TYPES[suffix]};base64," + base64.b64encode(f.path.read_bytes()).decode()
        return data_uris[rel]

    def resolve(target: str, image: bool) -> str | None:
        """The URL an attribute gets in the single file: a data URI, the arXiv page, an anchor, or None (no link)."""
        probe = Link(0, 0, 0, target, image)
        if not probe.is_local:
            if image and target.startswith(("http:", "https:", "//")) and target not in warned:
                warned.add(target)
                warnings.append(f"remote image {target} is linked, not embedded: it shows only when online")
            return target
        rel = probe.path
        if image:
            counts["images"] += 1
            return data_uri(rel)
        if rel == PDF_FILE and fields.arxiv_url:
            return fields.arxiv_url
        if target not in warned:
            warned.add(target)
            warnings.append(f"link to the local file {target} kept as plain text: a single HTML file cannot carry it")
        return None

    md = (
        markdown_it("commonmark", {"html": True, "typographer": False})
        .enable(["table", "strikethrough"])
        .use(front_matter_plugin)
        .use(dollarmath_plugin, allow_digits=False, double_inline=True)
        .use(anchors_plugin, min_level=1, max_level=6)
    )

    def math_html(token: Any, display: bool) -> str:
        counts["formulas"] += 1
        latex = str(token.content)
        try:
            return latex_to_mathml(latex, display, convert)
        except MathError as exc:
            line = int(token.meta.get("line", 0)) if token.meta else 0
            failed.append({"line": line, "latex": latex.strip(), "error": str(exc)})
            shown = html.escape(latex.strip())
            return f'<code class="math-error" title="not converted: {html.escape(str(exc))}">{shown}</code>'

    def r_inline(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
        return math_html(tokens[idx], display=False)

    def r_inline_double(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
        return math_html(tokens[idx], display=True)

    def r_block(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
        return f'<div class="math-display">{math_html(tokens[idx], display=True)}</div>\n'

    def r_block_label(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
        label = html.escape(str(tokens[idx].info))
        body = math_html(tokens[idx], display=True)
        return f'<div class="equation" id="{label}">{body}<span class="eqno">({label})</span></div>\n'

    md.add_render_rule("math_inline", r_inline)
    md.add_render_rule("math_inline_double", r_inline_double)
    md.add_render_rule("math_block", r_block)
    md.add_render_rule("math_block_label", r_block_label)

    env: dict[str, Any] = {}
    tokens = md.parse(note.text, env)
    cursor: dict[int, int] = {}
    for i, tok in enumerate(tokens):
        first = tok.map[0] + 1 if tok.map else 0
        if tok.type.startswith("math_block"):
            tok.meta = {**(tok.meta or {}), "line": first}
        elif tok.type in ("html_block",):
            tok.content = _rewrite_raw_html(_COMMENT_RE.sub("", tok.content), resolve)
        if tok.type != "inline" or not tok.children:
            continue
        for child in tok.children:
            if child.type.startswith("math_inline"):
                child.meta = {**(child.meta or {}), "line": _line_of(child.content, tok.content, first, cursor, i)}
            elif child.type == "image":
                new = resolve(str(child.attrGet("src") or ""), image=True)
                child.attrSet("src", new or "")
            elif child.type == "link_open":
                href = str(child.attrGet("href") or "")
                new = resolve(href, image=False)
                if new is None:
                    child.tag = "span"
                    child.attrs = {"class": "local-link", "title": href}
                    _close_link_as_span(tok.children, child)
                else:
                    child.attrSet("href", new)
            elif child.type == "html_inline":
                child.content = _rewrite_raw_html(_COMMENT_RE.sub("", child.content), resolve)
    body = md.renderer.render(tokens, md.options, env)

    title = fields.title or _first_heading(tokens) or note.short
    lang = "zh-CN" if _has_cjk(note.text) else "en"
    meta_lines = ['<meta name="generator" content="ai-paper-reader export_note.py">']
    if fields.authors:
        meta_lines.append(f'<meta name="author" content="{html.escape(", ".join(fields.authors))}">')
    doc = (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        + "\n".join(meta_lines)
        + f"\n<title>{html.escape(title)}</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n<main>\n"
        + body
        + "</main>\n</body>\n</html>\n"
    )
    return HtmlBuild(doc, counts["images"], counts["formulas"], failed, warnings)


def _close_link_as_span(children: list[Any], opener: Any) -> None:
    """The link_close matching opener becomes a </span>."""
    depth = 0
    started = False
    for child in children:
        if child is opener:
            started = True
            continue
        if not started:
            continue
        if child.type == "link_open":
            depth += 1
        elif child.type == "link_close":
            if depth == 0:
                child.tag = "span"
                return
            depth -= 1


_SCRIPT_RE = re.compile(r"<script\b.*?(</script\s*>|\Z)", re.IGNORECASE | re.DOTALL)


def _rewrite_raw_html(fragment: str, resolve: Any) -> str:
    """src/href in raw HTML the note carries get the same treatment as Markdown links; scripts are dropped."""
    fragment = _SCRIPT_RE.sub("", fragment)

    def sub(m: re.Match[str]) -> str:
        tag, attr, quoted = m.group(1), m.group(2), m.group(3)
        target = html.unescape(quoted[1:-1])
        new = resolve(target, image=tag.lower() != "a")
        head = m.group(0)[: m.start(2) - m.start(0)]
        if new is None:
            return f'{head}data-local="{html.escape(target)}"'
        return f'{head}{attr}="{html.escape(new)}"'

    return _HTML_ATTR_RE.sub(sub, fragment)


def _first_heading(tokens: list[Any]) -> str:
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and i + 1 < len(tokens):
            return str(tokens[i + 1].content).strip()
    return ""


# ---------------------------------------------------------------------------------------------------------------
# Zip


def zip_members(note: Note, local: dict[str, LocalFile], with_pdf: bool) -> list[tuple[str, Path]]:
    """(name in the folder, file) to archive: README.md, paper.yaml, images/, every linked file, the PDF if asked."""
    members: dict[str, Path] = {NOTE_FILE: note.readme}
    if (note.dir / META_FILE).is_file():
        members[META_FILE] = note.dir / META_FILE
    images = note.dir / IMAGES_DIR
    if images.is_dir():
        for p in sorted(images.rglob("*")):
            rel = p.relative_to(note.dir).as_posix()
            if p.is_file() and not any(part.startswith(".") for part in rel.split("/")):
                members[rel] = p
    for rel, f in local.items():
        if rel == PDF_FILE and not with_pdf:
            continue
        members.setdefault(rel, f.path)
    if with_pdf:
        pdf = note.dir / PDF_FILE
        if not pdf.is_file():
            raise UserError(f"--with-pdf: {pdf} does not exist; drop --with-pdf or put the paper there")
        members[PDF_FILE] = pdf
    return sorted(members.items(), key=lambda kv: (kv[0] != NOTE_FILE, kv[0]))


_STORED = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf", ".zip"}


def build_zip(note: Note, members: list[tuple[str, Path]], readme_text: str) -> bytes:
    """The archive in memory: one top folder named after the note, README.md as exported."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for rel, path in members:
            arc = f"{note.short}/{rel}"
            mtime = time.localtime(path.stat().st_mtime)[:6]
            info = zipfile.ZipInfo(arc, date_time=max(mtime, (1980, 1, 1, 0, 0, 0)))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_STORED if path.suffix.lower() in _STORED else zipfile.ZIP_DEFLATED
            data = readme_text.encode("utf-8") if rel == NOTE_FILE else path.read_bytes()
            zf.writestr(info, data)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------------------------
# Obsidian


def obsidian_front_matter(note: Note) -> tuple[dict[str, Any], str]:
    """(front matter, body) for the vault note: paper.yaml's fields first, the note's own block kept."""
    front, body, _ = split_front_matter(note.text)
    f = paper_fields(note.meta, front)
    out: dict[str, Any] = {}
    if f.title:
        out["title"] = f.title
        out["aliases"] = [f.title]
    if f.authors:
        out["authors"] = f.authors
    if f.venue:
        out["venue"] = f.venue
    if f.year not in (None, ""):
        out["year"] = f.year
    if f.arxiv:
        out["arxiv"] = f.arxiv
        out["url"] = f.arxiv_url
    tags = ["paper-note"]
    for t in f.tags:
        tag = re.sub(r"[^\w/\-]+", "-", t.strip().lower()).strip("-")
        if tag and not tag.isdigit() and tag not in tags:
            tags.append(tag)
    out["tags"] = tags
    for k, v in front.items():
        out.setdefault(k, v)
    return out, body


def obsidian_note_text(note: Note, replacements: dict[Link, str]) -> str:
    body_note = Note(note.dir, rewrite_targets(note.text, replacements), note.meta)
    fm, body = obsidian_front_matter(body_note)
    block = yaml.safe_dump(fm, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)
    return f"---\n{block}---\n\n{body.lstrip(chr(10))}"


def obsidian_files(note: Note, local: dict[str, LocalFile], with_pdf: bool) -> list[tuple[str, Path]]:
    """Files copied beside the vault note, at the same relative paths the note links them by."""
    files = {rel: f.path for rel, f in local.items() if rel != PDF_FILE or with_pdf}
    if with_pdf and (note.dir / PDF_FILE).is_file():
        files[PDF_FILE] = note.dir / PDF_FILE
    return sorted(files.items())


# ---------------------------------------------------------------------------------------------------------------
# Writing (the only functions that touch the output)


def default_out(note: Note, fmt: str) -> Path:
    """Beside the note folder: paper-notes/<short>.html, paper-notes/<short>.zip."""
    return note.dir.parent / f"{note.short}.{fmt}"


def _file_out(note: Note, fmt: str, out: Path | None) -> Path:
    if out is None:
        return default_out(note, fmt)
    out = Path(out).expanduser()
    if out.is_dir():
        return out / f"{note.short}.{fmt}"
    if out.suffix.lower() != f".{fmt}":
        raise UserError(f"--out {out}: an existing folder or a file name ending in .{fmt}")
    return out


def export_note(note_dir: Path, fmt: str, out: Path | None = None, *, force: bool = False,
                with_pdf: bool = False) -> ExportResult:
    """Runs one export end to end; raises UserError/OutputError before anything is written when it cannot."""
    t0 = time.perf_counter()
    if fmt not in FORMATS:
        raise UserError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    note = load_note(note_dir)
    links = scan_links(note.text)
    # the single HTML file never carries the PDF; zip and Obsidian do with --with-pdf
    arxiv_url = paper_fields(note.meta).arxiv_url
    if fmt == "html":
        to_arxiv = {lk: arxiv_url for lk in links if arxiv_url and lk.is_local and lk.path == PDF_FILE}
    else:
        to_arxiv = pdf_replacements(note, links, with_pdf)
    local = check_links(note, links, frozenset(to_arxiv))

    if fmt == "html":
        target = _file_out(note, "html", out)
        _refuse_existing(target, force)
        built = build_html(note, links, local)
        data = built.html.encode("utf-8")
        atomic_write_bytes(target, data, overwrite=force)
        result = ExportResult("html", target, [target.name], built.images, built.formulas, built.failed,
                              built.warnings, len(data))
    elif fmt == "zip":
        target = _file_out(note, "zip", out)
        _refuse_existing(target, force)
        replacements = to_arxiv
        members = zip_members(note, local, with_pdf)
        data = build_zip(note, members, rewrite_targets(note.text, replacements))
        atomic_write_bytes(target, data, overwrite=force)
        warnings = [f"{NOTE_FILE}: {len(replacements)} link(s) to {PDF_FILE} now point to the arXiv page "
                    "(pass --with-pdf to ship the PDF)"] if replacements else []
        n_images = sum(1 for rel, _ in members if rel.startswith(f"{IMAGES_DIR}/") and
                       Path(rel).suffix.lower() in IMAGE_TYPES)
        result = ExportResult("zip", target, [f"{note.short}/{rel}" for rel, _ in members], n_images,
                              warnings=warnings, bytes=len(data))
    else:
        if out is None:
            raise UserError("--to obsidian needs --out VAULT_DIR (your Obsidian vault, or a folder inside it)")
        result = _write_obsidian(note, to_arxiv, local, Path(out).expanduser(), force, with_pdf)
    result.seconds = time.perf_counter() - t0
    return result


def _refuse_existing(target: Path, force: bool) -> None:
    if target.exists() and not force:
        raise OutputError(f"{target} already exists; pass --force to overwrite it")
    if target.is_dir():
        raise OutputError(f"{target} is a folder; give a file name with --out")


def _write_obsidian(note: Note, replacements: dict[Link, str], local: dict[str, LocalFile], vault: Path, force: bool,
                    with_pdf: bool) -> ExportResult:
    if vault.exists() and not vault.is_dir():
        raise UserError(f"--out {vault} is a file; give your Obsidian vault folder")
    folder = vault / note.short
    if folder.resolve() == note.dir or note.dir.is_relative_to(folder.resolve()):
        raise UserError(f"--out {vault} would write the vault note over the note folder itself; give your vault")
    note_name = f"{note.short}.md"
    text = obsidian_note_text(note, replacements)
    copies = obsidian_files(note, local, with_pdf)
    names = [note_name, *[rel for rel, _ in copies]]
    clashes = [n for n in names if (folder / n).exists()]
    if clashes and not force:
        more = f" and {len(clashes) - 1} more" if len(clashes) > 1 else ""
        raise OutputError(f"{folder / clashes[0]}{more} already in the vault; pass --force to replace them")
    ensure_dir(vault)
    with staging_dir(folder) as stage:
        (stage / note_name).write_text(text, encoding="utf-8")
        for rel, src in copies:
            dst = stage / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
        if not folder.exists():
            os.replace(stage, folder)  # the whole folder appears at once
        else:
            for n in names:
                dst = folder / n
                ensure_dir(dst.parent)
                os.replace(stage / n, dst)
    warnings = [f"{note_name}: {len(replacements)} link(s) to {PDF_FILE} now point to the arXiv page "
                "(pass --with-pdf to copy the PDF)"] if replacements else []
    n_images = sum(1 for rel, _ in copies if Path(rel).suffix.lower() in IMAGE_TYPES)
    written = [f"{note.short}/{n}" for n in names]
    size = sum((folder / n).stat().st_size for n in names)
    return ExportResult("obsidian", folder / note_name, written, n_images, warnings=warnings, bytes=size)

