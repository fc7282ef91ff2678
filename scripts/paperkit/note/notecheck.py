"""Checks a written note (README.md) against the skill's rules: structure from templates/, style lists from
references/writing-style.md, figure names from naming.py, facts from paper.yaml and images/figures.yaml.

The stages: the text is masked once (code fences, inline code, math and HTML comments blanked, columns kept), so
every later check sees only the note's prose; then header, sections, TL;DR, Q&A, images, style and numbers each
add Findings. A Finding is one real problem with a line number and a fix.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..figures.naming import is_rule_name
from ..io.errors import UserError
from .numbers import Group, NumberChecker
from .papertext import PaperText, load_paper_text, norm_label_number, short_names, yaml_load
from .scaffold import LANGS, MODES, template_path

SKILL_DIR = Path(__file__).resolve().parents[3]
STYLE_FILE = SKILL_DIR / "references" / "writing-style.md"

# Limits documented in references/note-structure.md (a test keeps the two in step).
TLDR_MAX_SENTENCES = 3
TLDR_MAX_WORDS_EN = 90
TLDR_MAX_CHARS_ZH = 200
OVERVIEW_WORDS_EN = (150, 400)
OVERVIEW_WORDS_ZH = (250, 700)
MIN_QUESTIONS = {"full": 5, "focus": 3, "compare": 3}
REF_BLOCKS_BEFORE = 2  # text blocks (paragraphs; a list with its lead-in) before an image searched for "Figure 3"
REF_BLOCKS_AFTER = 1
BOLD_MAX_WORDS_EN = 6
BOLD_MAX_CHARS_ZH = 15


@dataclass
class Finding:
    file: str
    line: int
    severity: str  # "error" | "warning"
    code: str
    message: str
    fix: str

    def text(self) -> str:
        sev = "warning: " if self.severity == "warning" else ""
        return f"{self.file}:{self.line}: {sev}{self.message}: {self.fix}"


# ---------------------------------------------------------------- style lists (read from writing-style.md)

_LIST_RE = re.compile(r"<!--\s*checker-list:\s*([\w-]+)\s*-->(.*?)<!--\s*/checker-list\s*-->", re.S)


def load_style_lists(path: Path = STYLE_FILE) -> dict[str, list[str]]:
    """The bullet lists between <!-- checker-list: NAME --> and <!-- /checker-list --> markers."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot read the style rules {path}: {exc.strerror}; reinstall the skill") from exc
    lists: dict[str, list[str]] = {}
    for name, body in _LIST_RE.findall(text):
        lists[name] = [m.group(1) for m in re.finditer(r"^\s*[-*]\s+`([^`]+)`", body, re.M)]
    for need in ("filler-en", "filler-zh", "first-person-en", "first-person-zh"):
        if not lists.get(need):
            raise UserError(f"{path} has no '{need}' list; reinstall the skill")
    return lists


# ---------------------------------------------------------------- templates -> structure spec

_PH = re.compile(r"\{\{[^{}\n]*\}\}")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})\s*([^`\s]*)")
_HEADER_FIELD = re.compile(r"^\s*[-*]?\s*\*\*(.+?)\s*[:：]\s*\*\*\s*(.*)$|^\s*[-*]?\s*\*\*(.+?)\*\*\s*[:：]\s*(.*)$")


def norm_heading(text: str) -> str:
    t = text.replace("：", ":").replace("\u00a0", " ")
    t = re.sub(r"^\d+(\.\d+)*\.?\s+(?=\D)", "", t.strip())  # "2. Overview" -> "Overview"
    t = re.sub(r"\s*:\s*", ": ", t)
    return re.sub(r"\s+", " ", t).strip().lower()


def _heading_regex(text: str) -> re.Pattern[str] | None:
    """A template heading with a {{placeholder}} becomes a pattern ('Focus 1: {{x}}' -> 'focus \\d+: .+')."""
    if not _PH.search(text):
        return None
    parts = _PH.split(norm_heading(text))
    lit = [re.sub(r"\d+", r"\\d+", re.escape(p)) for p in parts]
    return re.compile("^" + ".+".join(lit) + "$")


@dataclass
class SectionSpec:
    title: str  # as in the template
    pattern: re.Pattern[str] | None
    subsections: list[str] = field(default_factory=list)  # fixed level-3 headings, in order
    questions: bool = False  # the Q&A section (its template level-3 headings are "Q1: {{question}}")

    def matches(self, heading: str) -> bool:
        n = norm_heading(heading)
        return bool(self.pattern.match(n)) if self.pattern else n == norm_heading(self.title)


@dataclass
class TemplateSpec:
    mode: str
    lang: str
    header_labels: list[str]
    sections: list[SectionSpec]


def template_spec(mode: str, lang: str, templates_dir: Path | None = None) -> TemplateSpec:
    text = template_path(mode, lang, templates_dir).read_text(encoding="utf-8")
    labels: list[str] = []
    sections: list[SectionSpec] = []
    seen_h2 = False
    for line in text.splitlines():
        h = _HEADING.match(line)
        if h:
            level, title = len(h.group(1)), h.group(2)
            if level == 2:
                seen_h2 = True
                pat = _heading_regex(title)
                if pat and sections and sections[-1].pattern and sections[-1].pattern.pattern == pat.pattern:
                    continue  # "Focus 1", "Focus 2": one repeated section
                sections.append(SectionSpec(title, pat))
            elif level == 3 and sections:
                if _heading_regex(title) is None:
                    sections[-1].subsections.append(title)
                elif re.match(r"^q\d", norm_heading(title)):
                    sections[-1].questions = True
            continue
        if not seen_h2:
            f = _HEADER_FIELD.match(line)
            if f:
                labels.append((f.group(1) or f.group(3)).strip())
    return TemplateSpec(mode, lang, labels, sections)


# ---------------------------------------------------------------- masking

@dataclass
class Doc:
    lines: list[str]  # as written
    masked: list[str]  # code, math and comments blanked
    in_fence: list[bool]
    findings: list[Finding]


def _blank(s: str) -> str:
    return re.sub(r"[^\n]", " ", s)


def _mask_code_spans(line: str) -> str:
    out, i = [], 0
    while i < len(line):
        if line[i] == "`":
            j = i
            while j < len(line) and line[j] == "`":
                j += 1
            run = line[i:j]
            end = line.find(run, j)
            while end != -1 and end + len(run) < len(line) and line[end + len(run)] == "`":
                end = line.find(run, end + len(run) + 1)
            if end == -1:
                out.append(line[i:j])
                i = j
                continue
            out.append(_blank(line[i:end + len(run)]))
            i = end + len(run)
        else:
            out.append(line[i])
            i += 1
    return "".join(out)


def mask(text: str, fname: str) -> Doc:
    lines = text.split("\n")
    findings: list[Finding] = []
    in_fence = [False] * len(lines)
    masked = list(lines)
    # fences
    open_at: int | None = None
    fence = ""
    for i, line in enumerate(lines):
        m = _FENCE.match(line)
        if open_at is None:
            if m:
                open_at, fence = i, m.group(2)
                in_fence[i] = True
                masked[i] = ""
                if not m.group(3) and not line[m.end():].strip():
                    findings.append(Finding(fname, i + 1, "error", "fence-no-language",
                                            "code block without a language tag",
                                            f"write {fence}python (or bash, text, ...) on the opening fence"))
        else:
            in_fence[i] = True
            masked[i] = ""
            if m and m.group(2)[0] == fence[0] and len(m.group(2)) >= len(fence) and not line[m.end():].strip() \
                    and not m.group(3):
                open_at = None
    if open_at is not None:
        findings.append(Finding(fname, open_at + 1, "error", "fence-unclosed", "code block never closed",
                                f"add a closing {fence} line after the code"))
    # HTML comments
    joined = "\n".join(masked)
    joined = re.sub(r"<!--.*?-->", lambda m: _blank(m.group(0)), joined, flags=re.S)
    masked = joined.split("\n")
    masked = [_mask_code_spans(s) if not in_fence[i] else s for i, s in enumerate(masked)]
    masked = _mask_math(masked, in_fence, fname, findings)
    return Doc(lines, masked, in_fence, findings)


_MATH_TOKEN = re.compile(r"\\\$|\$\$|\$|\\\(|\\\)|\\\[|\\\]")


def _mask_math(lines: list[str], in_fence: list[bool], fname: str, findings: list[Finding]) -> list[str]:
    """Blanks $...$, $$...$$, \\(...\\), \\[...\\]; an opener left open is a finding at its line."""
    out = [list(s) for s in lines]
    state: str | None = None  # the closer we wait for
    start = (0, 0)
    names = {"$": "$", "$$": "$$", "\\)": "\\(", "\\]": "\\["}

    def report(where: tuple[int, int]) -> None:
        opener = names[state or "$"]
        closer = state or "$"
        findings.append(Finding(fname, where[0] + 1, "error", "math-unbalanced",
                                f"formula opened with {opener} is never closed",
                                f"close it with {closer} (a literal dollar sign is written \\$)"))

    for i, line in enumerate(lines):
        if in_fence[i]:
            if state in ("$", "\\)"):
                report(start)
                state = None
            continue
        if state in ("$", "\\)") and (not line.strip() or re.match(r"^\s*(?:[-*+]\s|\d+[.)]\s|\||>|#)", line)):
            # inline math ends with its paragraph, list item or table row
            report(start)
            state = None
        if _HEADING.match(line) and state is not None:
            report(start)
            state = None
        for m in _MATH_TOKEN.finditer(line):
            tok = m.group(0)
            if state is None:
                if tok in ("\\$", "\\)", "\\]"):
                    continue
                state = {"$": "$", "$$": "$$", "\\(": "\\)", "\\[": "\\]"}[tok]
                start = (i, m.start())
            elif tok == state:
                if tok == "$" and start[0] == i:
                    inner = line[start[1] + 1:m.start()]
                    if inner != inner.strip() and len(inner) <= 60 and not re.search(r"[\u4e00-\u9fff]", inner):
                        findings.append(Finding(fname, i + 1, "error", "math-space",
                                                f"inline math '${inner}$' has a space inside its dollars",
                                                f"write '${inner.strip()}$': GitHub and pandoc do not render "
                                                "'$x $' or '$ x$' as math"))
                _blank_span(out, start, (i, m.end()))
                state = None
    if state is not None:
        report(start)
        _blank_span(out, start, (len(lines) - 1, len(lines[-1])))
    return ["".join(c) for c in out]


def _blank_span(out: list[list[str]], a: tuple[int, int], b: tuple[int, int]) -> None:
    for i in range(a[0], b[0] + 1):
        lo = a[1] if i == a[0] else 0
        hi = b[1] if i == b[0] else len(out[i])
        for j in range(lo, hi):
            out[i][j] = " "


# ---------------------------------------------------------------- the note's outline

@dataclass
class Heading:
    line: int  # 0-based
    level: int
    text: str


def headings(doc: Doc) -> list[Heading]:
    out = []
    for i, s in enumerate(doc.lines):
        if doc.in_fence[i]:
            continue
        m = _HEADING.match(s)
        if m:
            out.append(Heading(i, len(m.group(1)), m.group(2)))
    return out


def _cjk_ratio(text: str) -> float:
    cjk = len(re.findall(r"[\u4e00-\u9fff]", text))
    words = len(re.findall(r"[A-Za-z]+", text))
    return cjk / max(1, cjk + words)


def _spec_score(spec: TemplateSpec, hs: list[Heading], text: str) -> tuple[int, int]:
    h2 = [h for h in hs if h.level == 2]
    sec = sum(1 for s in spec.sections if any(s.matches(h.text) for h in h2))
    labels = {_norm_label(f) for f in _header_fields(text)}
    lab = sum(1 for x in spec.header_labels if _norm_label(x) in labels)
    return sec, lab


def detect(text: str, doc: Doc, mode: str, lang: str, templates_dir: Path | None) -> tuple[str, str]:
    hs = headings(doc)
    modes = MODES if mode == "auto" else (mode,)
    langs = LANGS if lang == "auto" else (lang,)
    zh_first = _cjk_ratio("\n".join(doc.masked)) > 0.3
    best: tuple[Any, ...] | None = None
    for md in modes:
        for lg in langs:
            sec, lab = _spec_score(template_spec(md, lg, templates_dir), hs, text)
            key = (sec + lab, (lg == "zh") == zh_first, md == "full", md, lg)
            if best is None or key[:3] > best[:3]:
                best = key
    assert best is not None
    return best[3], best[4]


# ---------------------------------------------------------------- checks

def _norm_label(s: str) -> str:
    return re.sub(r"\s+", " ", s.replace("：", ":").strip(" :")).lower()


def _header_fields(text: str) -> dict[str, tuple[int, str]]:
    """Label -> (0-based line, value) for the '- **Label:** value' lines before the first level-2 heading."""
    out: dict[str, tuple[int, str]] = {}
    in_fence = False
    for i, line in enumerate(text.split("\n")):
        if _FENCE.match(line):
            in_fence = not in_fence
        if in_fence:
            continue
        if line.startswith("## "):
            break
        f = _HEADER_FIELD.match(line)
        if f:
            label = (f.group(1) or f.group(3)).strip()
            out.setdefault(label, (i, (f.group(2) if f.group(1) else f.group(4)).strip()))
    return out


def _header_end(doc: Doc) -> int:
    for h in headings(doc):
        if h.level == 2:
            return h.line
    return len(doc.lines)


def _norm_text(s: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s)).strip()


_STARS = re.compile(r"^(★{1,5})(☆*)(?:\s*[(（]?\s*([1-5])\s*/\s*5\s*[)）]?)?$")


def check_header(doc: Doc, spec: TemplateSpec, fname: str, paper: dict[str, Any] | None,
                 paper_b: dict[str, Any] | None = None) -> list[Finding]:
    out: list[Finding] = []
    text = "\n".join(doc.lines)
    first = next((i for i, s in enumerate(doc.lines) if s.strip()), 0)
    if not doc.lines[first].startswith("# "):
        out.append(Finding(fname, first + 1, "error", "title-missing", "the note does not start with a '# ' title",
                           "make the first line '# ' followed by the paper's title as printed"))
    fields = {_norm_label(k): (k, v) for k, v in _header_fields(text).items()}
    end = _header_end(doc)
    zh = spec.lang == "zh"
    for label in spec.header_labels:
        key = _norm_label(label)
        if key not in fields:
            out.append(Finding(fname, end + 1 if end < len(doc.lines) else 1, "error", "header-field-missing",
                               f"the header block has no '{label}' line",
                               f"add '- **{label}{'：' if zh else ':'}** ...' above the first '## ' heading, "
                               "as in the template"))
            continue
        line, value = fields[key][1]
        if _PH.search(value):
            continue  # reported as a placeholder
        if not value:
            out.append(Finding(fname, line + 1, "error", "header-field-empty", f"the '{label}' line is empty",
                               "fill it in (see references/note-structure.md)"))
            continue
        plain = key.rstrip(" ab").strip()
        if plain in ("reading time", "阅读时间") and not re.search(r"\d", value):
            out.append(Finding(fname, line + 1, "error", "header-field-invalid",
                               f"reading time '{value}' has no number of minutes",
                               "write the minutes, e.g. '25 min' (分钟)"))
        if plain in ("difficulty", "难度"):
            m = _STARS.match(value.strip())
            ok = bool(m) and len(m.group(1)) + len(m.group(2)) == 5 and (not m.group(3) or
                                                                          int(m.group(3)) == len(m.group(1)))
            if not ok:
                out.append(Finding(fname, line + 1, "error", "header-field-invalid",
                                   f"difficulty '{value}' is not 1-5 stars out of five",
                                   "write filled and empty stars, five in all, e.g. ★★★☆☆"))
    if paper:
        out += _check_against_paper(doc, spec, fields, fname, paper)
    if paper_b is not None and len(spec.header_labels) >= 6:
        out += _check_against_paper(doc, spec, fields, fname, paper_b, 3, "b/paper.yaml")
    return out


_VENUE_SOURCE = re.compile(r"[(（][^)）]*(?:\bfrom\b|\bper\b|according to|\bsource|来自|据|来源|出自|见)"
                           r"[^)）]*[)）]", re.I)
_NOT_A_VENUE = re.compile(r"arXiv|e-?print|pre-?print|预印本|未发表|unpublished|\bv\d+\b|\d+|"
                          r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?|"
                          r"[^\w\u4e00-\u9fff]+|年|月|日|版", re.I)


def _check_against_paper(doc: Doc, spec: TemplateSpec, fields: dict[str, tuple[str, tuple[int, str]]],
                         fname: str, paper: dict[str, Any], first: int = 0, source: str = "paper.yaml") \
        -> list[Finding]:
    """The header lines first..first+2 (title, authors, venue) against a paper.yaml (b/paper.yaml for paper B)."""
    out: list[Finding] = []
    labels = [_norm_label(x) for x in spec.header_labels]
    paper_key, authors_key, venue_key = labels[first], labels[first + 1], labels[first + 2]
    title = _norm_text(str(paper.get("title") or ""))
    if title and paper_key in fields:
        line, value = fields[paper_key][1]
        if not _PH.search(value) and title not in _norm_text(value):
            out.append(Finding(fname, line + 1, "error", "header-title",
                               f"the title differs from {source}'s '{title}'",
                               f"copy the title exactly as {source} has it"))
    arxiv = str(paper.get("arxiv_id") or "")
    if arxiv and paper_key in fields:
        line, value = fields[paper_key][1]
        if not _PH.search(value) and arxiv not in value:
            out.append(Finding(fname, line + 1, "error", "header-arxiv",
                               f"the arXiv id {arxiv} from {source} is missing",
                               f"link it as [arXiv {arxiv}](https://arxiv.org/abs/{arxiv})"))
    authors = [_norm_text(str(a)) for a in paper.get("authors") or [] if a]
    if authors and authors_key in fields:
        line, value = fields[authors_key][1]
        v = _norm_text(value)
        if not _PH.search(value):
            etal = re.search(r"\bet al\b|等", v)
            need = authors[:1] if etal else authors
            missing = [a for a in need if a not in v]
            if missing:
                out.append(Finding(fname, line + 1, "error", "header-authors",
                                   f"author{'s' if len(missing) > 1 else ''} {', '.join(missing)} as {source} "
                                   "prints them missing",
                                   f"list the authors exactly as {source} has them (or the first one, then "
                                   "'et al.')"))
    if venue_key in fields:
        line, value = fields[venue_key][1]
        if _PH.search(value):
            return out
        venue = str(paper.get("venue") or "")
        sourced = bool(_VENUE_SOURCE.search(value))
        if not venue:
            named = _NOT_A_VENUE.sub(" ", re.sub(r"[(（][^)）]*[)）]", " ", value)).split()
            if named and not sourced:
                out.append(Finding(fname, line + 1, "error", "header-venue",
                                   f"the PDF prints no venue, so '{' '.join(named)}' needs its source",
                                   "write 'arXiv preprint (vN, DATE)' from the arXiv stamp, or the venue with where "
                                   "it comes from, e.g. 'ICLR 2022 (from the arXiv record)'"))
        for k in ("venue", "year"):
            want = str(paper.get(k) or "")
            if k == "year" and not venue and sourced:
                continue  # a published venue from elsewhere carries its own year
            if want and want not in value:
                out.append(Finding(fname, line + 1, "error", f"header-{k}",
                                   f"the {k} '{want}' from {source} is missing",
                                   f"write the {k} as {source} has it"))
    return out


def check_sections(doc: Doc, spec: TemplateSpec, fname: str) -> list[Finding]:
    out: list[Finding] = []
    hs = headings(doc)
    h2 = [h for h in hs if h.level == 2]
    matched: list[tuple[Heading, int]] = []
    for h in h2:
        idx = next((k for k, s in enumerate(spec.sections) if s.matches(h.text)), None)
        if idx is not None:
            matched.append((h, idx))
    found = {idx for _, idx in matched}
    hashes = "##"
    for k, s in enumerate(spec.sections):
        if k in found:
            continue
        nxt = next((h.line for h, idx in matched if idx > k), None)
        where = nxt + 1 if nxt is not None else len(doc.lines)
        want = s.title if not s.pattern else _PH.sub("...", s.title)
        out.append(Finding(fname, where, "error", "section-missing", f"section '{hashes} {want}' is missing",
                           f"add it {'before this line' if nxt is not None else 'at the end'}, with the "
                           f"template's heading"))
    top = -1
    for h, idx in matched:
        if idx < top:
            out.append(Finding(fname, h.line + 1, "error", "section-order",
                               f"section '{h.text}' is out of order",
                               "move it so that the sections follow the template's order: "
                               + " > ".join(s.title.split(":")[0].split("：")[0] for s in spec.sections)))
        top = max(top, idx)
    # subsections and empty sections
    for n, (h, idx) in enumerate(matched):
        s = spec.sections[idx]
        end = next((x.line for x in h2 if x.line > h.line), len(doc.lines))
        subs = [x for x in hs if h.line < x.line < end and x.level == 3]
        pos = 0
        for want in s.subsections:
            hit = next((j for j in range(pos, len(subs)) if norm_heading(subs[j].text) == norm_heading(want)), None)
            if hit is None:
                out.append(Finding(fname, h.line + 1, "error", "subsection-missing",
                                   f"section '{h.text}' has no '### {want}' (or it is out of order)",
                                   "add it, in the template's order"))
            else:
                pos = hit + 1
        body = "".join(doc.masked[h.line + 1:end]).strip()
        if not body and not any(x.line for x in hs if h.line < x.line < end):
            out.append(Finding(fname, h.line + 1, "error", "section-empty", f"section '{h.text}' is empty",
                               "write it (see references/note-structure.md)"))
        del n
    return out


def _section_range(doc: Doc, spec: TemplateSpec, pred: Any) -> tuple[int, int] | None:
    hs = headings(doc)
    h2 = [h for h in hs if h.level == 2]
    for k, h in enumerate(h2):
        if any(pred(s) and s.matches(h.text) for s in spec.sections):
            end = h2[k + 1].line if k + 1 < len(h2) else len(doc.lines)
            return h.line, end
    return None


_ABBR = re.compile(r"\b(e\.g|i\.e|et al|etc|vs|cf|Fig|Figs|Eq|Eqs|Tab|Sec|No|approx|p|pp)\.", re.I)


def count_sentences(text: str) -> int:
    t = _ABBR.sub(lambda m: m.group(0)[:-1] + "_", text)
    t = re.sub(r"(\d)\.(\d)", r"\1_\2", t)
    parts = re.split(r"(?<=[。！？])|(?<=[.!?])[\"”’)]*\s+", t)
    return sum(1 for p in parts if re.search(r"[\w\u4e00-\u9fff]", p))


def _size(text: str, lang: str) -> int:
    """Words (EN) or characters (ZH: a Chinese character or a Latin word counts one)."""
    if lang == "zh":
        return len(re.findall(r"[\u4e00-\u9fff]", text)) + len(re.findall(r"[A-Za-z0-9]+", text))
    return len(re.findall(r"\S+", text))


def check_overview(doc: Doc, spec: TemplateSpec, fname: str) -> list[Finding]:
    """The Overview's length as references/note-structure.md gives it (full notes only)."""
    rng = _section_range(doc, spec, lambda s: norm_heading(s.title) in ("overview", "概览"))
    if rng is None:
        return []
    a, b = rng
    body = " ".join(_IMAGE.sub(" ", doc.masked[i]) for i in range(a + 1, b)
                    if not doc.in_fence[i] and not _HEADING.match(doc.lines[i]))
    lo, hi = OVERVIEW_WORDS_ZH if spec.lang == "zh" else OVERVIEW_WORDS_EN
    unit = "characters" if spec.lang == "zh" else "words"
    size = _size(body, spec.lang)
    if size > hi:
        return [Finding(fname, a + 1, "error", "overview-too-long", f"the overview has {size} {unit} (at most {hi})",
                        "keep the problem, the idea and the contributions; move details to the method")]
    if size < lo:
        return [Finding(fname, a + 1, "warning", "overview-too-short", f"the overview has {size} {unit} "
                        f"(at least {lo})", "say what is hard, why earlier work falls short, and the idea")]
    return []


_TILDE_RANGE = re.compile(r"(?<![~\\\d.])\d[\d.,]*%?\s*(?<!~)~(?!~)\s*\d[\d.,]*%?")


def check_tilde(doc: Doc, fname: str) -> list[Finding]:
    """'0.99~0.9999': two such tildes in a paragraph render as strikethrough on GitHub and elsewhere."""
    out = []
    for i in range(_header_end(doc), len(doc.lines)):
        if doc.in_fence[i]:
            continue
        for m in _TILDE_RANGE.finditer(doc.masked[i]):
            out.append(Finding(fname, i + 1, "error", "tilde-range", f"'{m.group(0)}' uses a single tilde for a "
                               "range", "write an en dash or 'to' (0.99–0.9999, 0.99 to 0.9999): a single tilde "
                               "renders as strikethrough on some platforms"))
    return out


def check_tldr(doc: Doc, spec: TemplateSpec, fname: str) -> list[Finding]:
    rng = _section_range(doc, spec, lambda s: norm_heading(s.title) == "tl;dr")
    if rng is None:
        return []
    a, b = rng
    body = " ".join(s.strip() for s in doc.masked[a + 1:b] if s.strip() and not s.lstrip().startswith("#"))
    sentences = count_sentences(body)
    out: list[Finding] = []
    if spec.lang == "zh":
        size = len(re.findall(r"[\u4e00-\u9fff]", body)) + len(re.findall(r"[A-Za-z0-9]+", body))
        too_long, unit, limit = size > TLDR_MAX_CHARS_ZH, "characters", TLDR_MAX_CHARS_ZH
    else:
        size = len(re.findall(r"\S+", body))
        too_long, unit, limit = size > TLDR_MAX_WORDS_EN, "words", TLDR_MAX_WORDS_EN
    if sentences > TLDR_MAX_SENTENCES:
        out.append(Finding(fname, a + 1, "error", "tldr-too-long",
                           f"TL;DR has {sentences} sentences (at most {TLDR_MAX_SENTENCES})",
                           "cut it to the problem, the idea and the main result"))
    if too_long:
        out.append(Finding(fname, a + 1, "error", "tldr-too-long", f"TL;DR has {size} {unit} (at most {limit})",
                           "shorten it; details belong in the overview"))
    return out


_FOLD = re.compile(r"<\s*/?\s*(details|summary)\b", re.I)
_QUESTION_LINE = re.compile(r"^\s*(?:[-*]\s+)?(?:\*\*|__)?\s*(?:Q\d*|问题\s*\d*|问)\s*[:：.]", re.I)


def check_qa(doc: Doc, spec: TemplateSpec, fname: str) -> list[Finding]:
    out: list[Finding] = []
    for i, s in enumerate(doc.masked):
        m = _FOLD.search(s)
        after_details = m and m.group(1).lower() == "summary" and any(
            re.search(r"<\s*details\b", x, re.I) for x in doc.masked[max(0, i - 2):i + 1])
        if m and not after_details and not (m.group(0).lstrip("<").strip().startswith("/")):
            out.append(Finding(fname, i + 1, "error", "qa-folded", "folded block (<details>/<summary>)",
                               "show the text directly; make each question a '### ' heading"))
    rng = _section_range(doc, spec, lambda s: s.questions)
    if rng is None:
        return out
    a, b = rng
    qs = [h for h in headings(doc) if a < h.line < b and h.level >= 3]
    for i in range(a + 1, b):
        s = doc.masked[i]
        if not doc.in_fence[i] and not _HEADING.match(s) and _QUESTION_LINE.match(s):
            out.append(Finding(fname, i + 1, "error", "qa-not-heading", "a question written as a paragraph",
                               "make it a heading: '### Q1: ...?' and put the answer below it"))
    need = MIN_QUESTIONS[spec.mode]
    if len(qs) < need:
        out.append(Finding(fname, a + 1, "error", "qa-too-few",
                           f"the Q&A has {len(qs)} question heading{'s' if len(qs) != 1 else ''} "
                           f"(at least {need})", "add questions a careful reader would ask, each a '### ' heading"))
    return out


_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
def _check_paper_label(fname: str, i: int, alt: str, name: str, is_b: bool, b_names: list[str], b_listed: bool,
                       b_manifest: dict[str, dict[str, Any]]) -> list[Finding]:
    """In a comparison an image says whose it is: B's files live in images/b/ and their alt text names paper B."""
    out = []
    says_b = _names_paper_b(re.split(r"[:：]", alt, maxsplit=1)[0], b_names)  # the label, not the caption
    who = f"'{b_names[0]}' or 'paper B'" if b_names else "'paper B'"
    if is_b and not says_b:
        out.append(Finding(fname, i + 1, "error", "image-paper", f"images/b/{name} is paper B's but its label "
                           "does not say so", f"name the paper in the alt text's label ({who}), e.g. "
                           "'![Figure 2 of paper B: ...](images/b/...)'"))
    elif not is_b and says_b:
        out.append(Finding(fname, i + 1, "error", "image-paper", f"images/{name} is paper A's but its label "
                           "says paper B", "link paper B's own figure from images/b/, or fix the label"))
    if is_b and b_listed and name not in b_manifest:
        out.append(Finding(fname, i + 1, "error", "image-unlisted", f"images/b/{name} is not in images/b/figures.yaml",
                           "link a file that paper B's manifest lists"))
    return out


_HTML_IMG = re.compile(r"<img\b[^>]*\bsrc\s*=\s*[\"']([^\"']+)", re.I)


def _load_manifest(folder: Path, rel: str = "images/figures.yaml") -> tuple[list[dict[str, Any]], str]:
    path = folder / rel
    if not path.is_file():
        return [], ""
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml_load(text) or {}
    except yaml.YAMLError:
        return [], text
    items = [*(data.get("figures") or []), *(data.get("tables") or [])]
    return [x for x in items if isinstance(x, dict)], text


def _ref_regex(kind: str, numbers: set[str]) -> re.Pattern[str]:
    alts = "|".join(sorted((re.escape(n) for n in numbers if n), key=len, reverse=True))
    words = r"(?:Tables?|Tabs?\.?|表)" if kind == "tab" else r"(?:Figures?|Figs?\.?|图)"
    return re.compile(rf"{words}\s*(?:[A-Z]?[\d.IVX]+\s*(?:,|and|&|-|–|和|、)\s*)*(?:{alts})(?![\w.]*\d)", re.I)


_NOT_SHOWN = re.compile(r"^\s*(?:[-*]\s+)?(?:\*\*|__)?\s*(?:Not shown|未展示)\s*(?:\*\*|__)?\s*[:：]\s*"
                        r"(?:\*\*|__)?(.*)$", re.I)
_NOT_SHOWN_ITEM = re.compile(r"^\s*(Tables?|Tab\.|表|Figures?|Fig\.|图)\s*([A-Z]?\d+(?:[.-]\d+)?|[IVXL]+)\b\s*(.*)$",
                             re.I)


def _entry_key(entry: dict[str, Any]) -> tuple[str, str]:
    label = str(entry.get("label") or "")
    kind = "table" if entry.get("kind") == "table" or label.lower().startswith("tab") else "figure"
    num = str(entry.get("number") or (label.split()[-1] if label else ""))
    return kind, norm_label_number(num)


def _not_shown(doc: Doc, fname: str, manifest: list[dict[str, Any]]) -> tuple[set[tuple[str, str]], list[Finding]]:
    """The figures a 'Not shown: Table 9 (hyperparameters); Figure 5 (...)' line leaves out on purpose."""
    keys: set[tuple[str, str]] = set()
    out: list[Finding] = []
    listed = {_entry_key(x) for x in manifest}
    for i, s in enumerate(doc.masked):
        m = _NOT_SHOWN.match(s) if not doc.in_fence[i] else None
        if not m:
            continue
        for item in filter(str.strip, re.split(r"[;；](?![^(（]*[)）])", m.group(1))):  # not inside (...)
            it = _NOT_SHOWN_ITEM.match(item.strip(" .。*_"))
            if not it:
                out.append(Finding(fname, i + 1, "error", "not-shown-form", f"'{item.strip()}' names no figure or "
                                   "table", "write 'Not shown: Table 9 (hyperparameters); Figure 5 (reason)' "
                                   "('未展示：表 9（超参数）')"))
                continue
            kind = "table" if it.group(1).lower().startswith("tab") or it.group(1) == "表" else "figure"
            key = (kind, norm_label_number(it.group(2)))
            label = f"{'Table' if kind == 'table' else 'Figure'} {it.group(2)}"
            if listed and key not in listed:
                out.append(Finding(fname, i + 1, "error", "not-shown-unknown",
                                   f"{label} is not in images/figures.yaml", "name a figure or table it lists"))
            if not re.search(r"[(（][^)）]*\w[^)）]*[)）]|^\s*[:：—–-]\s*\w", it.group(3)):
                out.append(Finding(fname, i + 1, "error", "not-shown-reason", f"{label} is left out with no reason",
                                   f"give it in parentheses: '{label} (hyperparameters only)'"))
            keys.add(key)
    return keys, out


def _names_paper_b(alt: str, b_names: list[str]) -> bool:
    if re.search(r"\b(?:Paper|paper)\s+B\b|\(B\)|\bof B\b|论文\s*B|\bB['’]s\b", alt):
        return True
    return any(re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", alt) for n in b_names)


def check_images(doc: Doc, folder: Path, fname: str, mode: str = "full", b_names: list[str] | None = None) \
        -> list[Finding]:
    out: list[Finding] = []
    image_dirs = {(folder / "images").resolve()}
    b_dir = (folder / "images" / "b").resolve()
    b_manifest: dict[str, dict[str, Any]] = {}
    b_listed = False
    if mode == "compare":
        image_dirs.add(b_dir)  # paper B's figures, in their own folder with their own manifest
        bm_path = folder / "images" / "b" / "figures.yaml"
        if bm_path.is_file():
            b_listed = True
            entries, _ = _load_manifest(folder / "images" / "b", "figures.yaml")
            b_manifest = {Path(str(x.get("file") or "")).name: x for x in entries}
    manifest, mtext = _load_manifest(folder)
    by_file = {str(x.get("file") or ""): x for x in manifest}
    shown: set[str] = set()
    blocks = segment(doc)
    block_of = {i: k for k, b in enumerate(blocks) for i in b.lines}
    for i, s in enumerate(doc.masked):
        if doc.in_fence[i]:
            continue
        for m in _HTML_IMG.finditer(s):
            out.append(Finding(fname, i + 1, "error", "image-html", f"HTML image {m.group(1)}",
                               "use Markdown: ![Figure N: caption](images/...png)"))
        for m in _IMAGE.finditer(doc.lines[i]):
            alt, target = m.group(1).strip(), m.group(2)
            if re.match(r"^[a-z]+://", target):
                out.append(Finding(fname, i + 1, "error", "image-remote", f"image {target} is not in images/",
                                   "use the paper's figure from images/ (images/figures.yaml)"))
                continue
            rel = target.split("#")[0].split("?")[0]
            path = (folder / rel)
            name = Path(rel).name
            if not path.is_file():
                out.append(Finding(fname, i + 1, "error", "image-missing", f"image {target} does not exist",
                                   "link a file that images/figures.yaml lists (its 'file' field)"))
                continue
            if path.resolve().parent not in image_dirs:
                out.append(Finding(fname, i + 1, "error", "image-outside", f"image {target} is not in images/",
                                   "move it into images/ and name it by references/naming-rules.md"))
            if not is_rule_name(name):
                out.append(Finding(fname, i + 1, "error", "image-name", f"image file {name} breaks the naming rule",
                                   "rename it to fig{N}_{type}_{words}.png or tab{N}_... "
                                   "(references/naming-rules.md)"))
            shown.add(Path(rel).as_posix().removeprefix("./"))
            if not alt:
                out.append(Finding(fname, i + 1, "error", "image-alt", f"image {target} has no alt text",
                                   "write ![Figure N: short caption](...)"))
            fm = re.match(r"^(fig|tab)([A-Za-z0-9-]+?)_", name)
            is_b = mode == "compare" and path.resolve().parent == b_dir
            if mode == "compare":
                out += _check_paper_label(fname, i, alt, name, is_b, b_names or [], b_listed, b_manifest)
            if not fm:
                continue  # extra_p*: no number to refer to
            kind, num = fm.group(1), fm.group(2)
            numbers = {num, num.replace("-", ".")}
            entry = b_manifest.get(name) if is_b else by_file.get(f"images/{name}")
            am = re.match(r"^\s*(Figure|Fig\.|Table|图|表)\s*([A-Z]?\d+(?:[.-]\d+)?|[IVXL]+)\b", alt)
            if am and (am.group(1)[0] in "T表") == (kind == "tab") and \
                    norm_label_number(am.group(2)) != norm_label_number(str((entry or {}).get("number") or num)):
                out.append(Finding(fname, i + 1, "error", "image-label",
                                   f"the alt text says {am.group(1)} {am.group(2)} but {name} is "
                                   f"{(entry or {}).get('label') or kind + ' ' + num}",
                                   "label the image with its own number, as images/figures.yaml lists it"))
            if entry and entry.get("number"):
                numbers.add(str(entry["number"]))
            window = [j for j in blocks[block_of[i]].lines if j != i]
            for step, count in ((-1, REF_BLOCKS_BEFORE), (1, REF_BLOCKS_AFTER)):
                k = block_of[i] + step
                while 0 <= k < len(blocks) and count and blocks[k].kind != "heading":
                    if blocks[k].kind not in ("image", "math"):
                        window += blocks[k].lines
                        count -= 1
                    k += step
            near = " ".join(_IMAGE.sub(" ", doc.masked[j]) for j in window)
            if not _ref_regex(kind, numbers).search(near):
                label = (entry or {}).get("label") or f"{'Table' if kind == 'tab' else 'Figure'} " \
                    f"{num.replace('-', '.')}"
                out.append(Finding(fname, i + 1, "error", "image-unreferenced",
                                   f"{label} is shown but no nearby text mentions it",
                                   f"discuss '{label}' in the paragraph just before the image"))
    # One warning for all of them: a focused or comparison note rightly leaves most figures out, and a line per
    # figure would read as a list of chores.
    mlines = mtext.split("\n")
    left_out, found = _not_shown(doc, fname, manifest)
    out += found
    unused = [x for x in manifest if str(x.get("file") or "") and str(x.get("file")) not in shown
              and _entry_key(x) not in left_out]
    if unused:
        first = str(unused[0].get("file"))
        ln = next((n + 1 for n, s in enumerate(mlines) if s.strip() == f"file: {first}"), 1)
        labels = [str(x.get("label") or x.get("file")) for x in unused]
        names = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
        out.append(Finding("images/figures.yaml", ln, "warning", "figure-unused",
                           f"{names} {'is' if len(labels) == 1 else 'are'} never shown in the note",
                           "show each one the note discusses, where it discusses it; leave out what adds nothing"))
    return out


_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u2604\u2607-\u2712\u2714-\u2716\u2718-\u27BF\u2B05-\u2B07"
                    "\u2B1B\u2B1C\u2B50\u2B55\uFE0F]")
_QUOTES = re.compile(r"\"[^\"\n]*\"|“[^”\n]*”|「[^」\n]*」|『[^』\n]*』")
_ROMAN_BEFORE = re.compile(r"(?:Table|Tab\.|Phase|Type|Stage|Part|Section|Appendix|Level|Case|Class|Group)\s+$", re.I)


def _prose(doc: Doc, start: int, title: str) -> list[tuple[int, str]]:
    """(line, text) of the note's own words: no header block, quotes, blockquotes, alt text or link targets."""
    out = []
    for i in range(start, len(doc.lines)):
        if doc.in_fence[i]:
            continue
        s = doc.masked[i]
        if s.lstrip().startswith(">"):
            continue
        s = _IMAGE.sub(lambda m: _blank(m.group(0)), s)
        s = re.sub(r"\]\([^)]*\)", lambda m: "]" + _blank(m.group(0)[1:]), s)
        s = re.sub(r"<[^>]+>", lambda m: _blank(m.group(0)), s)
        s = _QUOTES.sub(lambda m: _blank(m.group(0)), s)
        if title:
            s = s.replace(title, " " * len(title))
        out.append((i, s.replace("’", "'")))
    return out


def _blank_all(patterns: list[re.Pattern[str]], s: str) -> str:
    for rx in patterns:
        s = rx.sub(lambda m: " " * len(m.group(0)), s)
    return s


def check_style(doc: Doc, lists: dict[str, list[str]], fname: str, title: str) -> list[Finding]:
    out: list[Finding] = []
    start = _header_end(doc)
    for i, s in enumerate(doc.masked):
        if not doc.in_fence[i]:
            for m in _PH.finditer(s):
                out.append(Finding(fname, i + 1, "error", "placeholder", f"template placeholder {m.group(0)} left",
                                   "write what it names in its place (references/note-structure.md)"))
            e = _EMOJI.search(s)
            if e:
                out.append(Finding(fname, i + 1, "error", "emoji", f"emoji {e.group(0)!r}",
                                   "delete it; say it in words"))
    own = [re.compile(re.escape(p), re.I) for p in lists.get("own-voice", [])]
    prose = [(i, _blank_all(own, s)) for i, s in _prose(doc, start, title)]
    en_filler = [(p, re.compile(r"(?<![\w'])" + re.escape(p.replace("’", "'")) + r"(?![\w'])", re.I))
                 for p in lists["filler-en"]]
    zh_filler = lists["filler-zh"]
    fp_en = [w for w in lists["first-person-en"] if w != "I"]
    fp_en_re = re.compile(r"\b(" + "|".join(re.escape(w) for w in fp_en) + r")\b", re.I) if fp_en else None
    want_i = "I" in lists["first-person-en"]
    fp_zh = sorted(lists["first-person-zh"], key=len, reverse=True)
    for i, s in prose:
        for p, rx in en_filler:
            if rx.search(s):
                out.append(Finding(fname, i + 1, "error", "filler", f"stock phrase '{p}'",
                                   "rewrite the sentence without it (references/writing-style.md)"))
        for p in zh_filler:
            if p in s:
                out.append(Finding(fname, i + 1, "error", "filler", f"stock phrase '{p}'",
                                   "rewrite the sentence without it (references/writing-style.md)"))
        hits = []
        if fp_en_re:
            hits += [m.group(0) for m in fp_en_re.finditer(s) if m.group(0) != "US"]
        if want_i:
            for m in re.finditer(r"(?<![\w'’-])I(?![\w/'’-])", s):
                if not _ROMAN_BEFORE.search(s[:m.start()]) and not re.search(r"\(\s*$", s[:m.start()]):
                    hits.append("I")
        z = s
        for w in fp_zh:
            if w == "我":
                z = z.replace("自我", "  ")
            if w in z:
                hits.append(w)
                z = z.replace(w, " " * len(w))
        if hits:
            words = ", ".join(dict.fromkeys(hits))
            out.append(Finding(fname, i + 1, "error", "first-person", f"first person ({words}) in the note's voice",
                               "write about the paper in the third person ('the authors', 'the model', '作者'); "
                               "quote the paper's own words in quotation marks"))
    out += _check_bold(doc, start, fname)
    return out


_BOLD_PARA = re.compile(r"^\s*(?:[-*+]\s+|\d+[.)]\s+)?(\*\*|__)(.+)\1\s*[.。]?\s*$")


def _check_bold(doc: Doc, start: int, fname: str) -> list[Finding]:
    out = []
    for i in range(start, len(doc.lines)):
        s = doc.masked[i]
        if doc.in_fence[i] or _HEADING.match(s) or s.lstrip().startswith("|"):
            continue
        prev_blank = i == 0 or not doc.lines[i - 1].strip() or re.match(r"^\s*([-*+]|\d+[.)])\s", s)
        nxt_blank = i + 1 >= len(doc.lines) or not doc.lines[i + 1].strip() or \
            re.match(r"^\s*([-*+]|\d+[.)])\s", doc.lines[i + 1])
        m = _BOLD_PARA.match(doc.lines[i])
        if not (m and prev_blank and nxt_blank) or _QUESTION_LINE.match(s):
            continue
        inner = m.group(2)
        if "**" in inner or "__" in inner:
            continue  # two bold phrases, not one bold paragraph
        cjk = len(re.findall(r"[\u4e00-\u9fff]", inner))
        big = cjk > BOLD_MAX_CHARS_ZH if cjk else len(inner.split()) > BOLD_MAX_WORDS_EN
        if big:
            out.append(Finding(fname, i + 1, "error", "bold-paragraph", "a whole paragraph in bold",
                               "bold only the key term, or make it a heading"))
    return out


_NUM = re.compile(r"(?<![\w.$\\])(\d+(?:\.\d+)?\s?%|\d+\.\d+)(?![\w.]*\d)")
_NUM_LABEL_BEFORE = re.compile(r"(?:Section|Sec\.|§|Eq\.|Eqs\.|Equation|Figure|Fig\.|Table|Tab\.|Appendix|Algorithm|"
                               r"version|v|Python|图|表|节|式|公式|arXiv)\s*$", re.I)
_SOURCE = re.compile(r"(?:Tables?|Tab\.|Figures?|Fig\.|Sections?|Sec\.|§|Appendix|Eq\.)\s*(?:[A-Z]?\d|[IVXL]+\b)|"
                     r"\b(?:p|pp)\.\s*\d|\bpages?\s+\d|[表图]\s*(?:[A-Z]?\d|[IVXL]+)|"
                     r"第\s*\d+(?:\s*[-–—~至到]\s*\d+)?\s*页|附录|第\s*[\d.]+\s*节|[IVX]+(?:-[A-Z])?\s*节",
                     re.I)  # Roman table numbers ("Table IV", "表 III") and page ranges ("第 7-8 页") count


def check_numbers(doc: Doc, fname: str, title: str, papers: dict[str, PaperText] | None = None,
                  mode: str = "full") -> list[Finding]:
    """Every quoted number against its source (numbers.py) when the paper's text is at hand; one warning per
    block (paragraph, list with its lead-in, table) with a decimal or a percentage and no source reference."""
    out: list[Finding] = []
    prose = {i: s for i, s in _prose(doc, _header_end(doc), title) if not _NOT_SHOWN.match(s)}
    blocks = segment(doc)
    if papers:
        out += _check_sourced(doc, blocks, prose, papers, mode, fname)
    flagged = {f.line for f in out}
    for k, b in enumerate(blocks):
        if b.kind not in ("para", "list", "table"):
            continue
        first = None
        for i in b.lines:
            if i not in prose or _IMAGE.fullmatch(doc.lines[i].strip()):
                continue
            for m in _NUM.finditer(prose[i]):
                if not _NUM_LABEL_BEFORE.search(prose[i][:m.start()]):
                    first = (i, m.group(1))
                    break
            if first:
                break
        if not first or first[0] + 1 in flagged:
            continue
        ctx = [*b.lines]
        if b.kind == "table":
            for j in (k - 1, k + 1):
                if 0 <= j < len(blocks) and blocks[j].kind in ("para", "list"):
                    ctx += blocks[j].lines
        if not _SOURCE.search(" ".join(prose.get(i, "") for i in ctx)):
            where = "table" if b.kind == "table" else "paragraph"
            out.append(Finding(fname, first[0] + 1, "warning", "number-no-source",
                               f"{first[1]} has no source in its {where}",
                               "add where it is printed, e.g. '(Table 2, p. 6)' or '（表 2，第 6 页）'"))
    return out


def _block_text(prose: dict[int, str], lines: list[int]) -> tuple[str, list[int], list[int]]:
    """A block's prose joined by newlines, each line's start offset, and the offsets where list items start."""
    parts, starts, items = [], [], []
    pos = 0
    for i in lines:
        s = prose.get(i, "")
        starts.append(pos)
        if _LIST_ITEM.match(s) or s.lstrip().startswith("|"):
            items.append(pos)
        parts.append(s)
        pos += len(s) + 1
    return "\n".join(parts), starts, items


def _paper_of_section(doc: Doc) -> list[str | None]:
    """For a comparison: the paper each line's '##' section is about ('Paper B in Brief' -> 'b'), else None."""
    out: list[str | None] = [None] * len(doc.lines)
    cur: str | None = None
    for i, s in enumerate(doc.lines):
        h = _HEADING.match(s) if not doc.in_fence[i] else None
        if h and len(h.group(1)) == 2:
            m = re.search(r"(?:Paper|论文)\s*([AB])\b", h.group(2))
            cur = m.group(1).lower() if m else None
        out[i] = cur
    return out


def _check_sourced(doc: Doc, blocks: list[Block], prose: dict[int, str], papers: dict[str, PaperText], mode: str,
                   fname: str) -> list[Finding]:
    checker = NumberChecker(papers, mode == "compare")
    section_paper = _paper_of_section(doc)
    groups_of: dict[int, list[Group]] = {}
    texts = {}
    for k, b in enumerate(blocks):
        if b.kind in ("para", "list", "table"):
            texts[k] = _block_text(prose, [i for i in b.lines if not _IMAGE.fullmatch(doc.lines[i].strip())])
    # a table's source may sit in the paragraph just before or after it: those blocks first
    order = sorted(texts, key=lambda k: blocks[k].kind == "table")
    for k in order:
        text, starts, items = texts[k]
        lines = [i for i in blocks[k].lines if not _IMAGE.fullmatch(doc.lines[i].strip())]

        def line_of(off: int, starts: list[int] = starts, lines: list[int] = lines) -> int:
            return lines[max(0, bisect.bisect_right(starts, off) - 1)]

        extra: list[Group] = []
        if blocks[k].kind == "table":
            near = [j for j in (k - 1, k + 1) if j in texts]
            # a "Source: Table 1, p. 2" line next to the table is its source; else both neighbours' sources count
            marked = [j for j in near if re.match(r"\s*(?:\*\*)?(?:Sources?|来源|数据来源|出处)\s*(?:\*\*)?[:：]",
                                                  texts[j][0])]
            for j in marked or near:
                extra += groups_of.get(j, [])
        groups_of[k] = checker.check_block(text, line_of, lambda ln: section_paper[ln] if mode == "compare" else "a",
                                           extra, items)
    return [Finding(fname, ln + 1, sev, code, msg, fix) for ln, sev, code, msg, fix in checker.issues]


@dataclass
class Block:
    kind: str  # para | list | table | image | math | heading | code
    lines: list[int]


_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")


def segment(doc: Doc) -> list[Block]:
    """The body's blocks after the header: blank lines separate them; a list is one block together with the
    paragraph that leads into it (ending with ':'), however loose its items are."""
    raw: list[Block] = []
    cur: list[int] = []

    def close() -> None:
        if not cur:
            return
        first = doc.lines[cur[0]]
        if all(_IMAGE.fullmatch(doc.lines[i].strip()) for i in cur):
            kind = "image"
        elif not "".join(doc.masked[i] for i in cur).strip():
            kind = "math"  # a display formula belongs to the text around it
        elif first.lstrip().startswith("|"):
            kind = "table"
        elif _LIST_ITEM.match(first):
            kind = "list"
        else:
            kind = "para"
        raw.append(Block(kind, list(cur)))
        cur.clear()

    start = _header_end(doc)
    i = start
    while i < len(doc.lines):
        if doc.in_fence[i]:
            close()
            j = i
            while j < len(doc.lines) and doc.in_fence[j]:
                j += 1
            raw.append(Block("code", list(range(i, j))))
            i = j
            continue
        line = doc.lines[i]
        if _HEADING.match(line):
            close()
            raw.append(Block("heading", [i]))
        elif not line.strip():
            close()
        else:
            cur.append(i)
        i += 1
    close()
    merged: list[Block] = []
    for b in raw:
        prev = merged[-1] if merged else None
        if prev and b.kind == "list" and prev.kind == "list":
            prev.lines += b.lines
        elif prev and b.kind == "list" and prev.kind == "para" and \
                re.search(r"[:：]\s*$", doc.masked[prev.lines[-1]]):
            prev.kind = "list"
            prev.lines += b.lines
        else:
            merged.append(b)
    return merged


# ---------------------------------------------------------------- entry point

def resolve_readme(target: Path) -> Path:
    if target.is_dir():
        readme = target / "README.md"
        if not readme.is_file():
            raise UserError(f"{target} has no README.md; give the note folder made by prepare_paper.py or the "
                            "note file itself")
        return readme
    if not target.is_file():
        raise UserError(f"no such note: {target}")
    return target


def load_paper_yaml(folder: Path) -> dict[str, Any] | None:
    path = folder / "paper.yaml"
    if not path.is_file():
        return None
    try:
        data = yaml_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise UserError(f"{path} is not valid YAML ({exc.__class__.__name__}); re-run paper_info.py") from exc
    return data if isinstance(data, dict) else None


def _load_papers(folder: Path, mode: str, fname: str) -> tuple[dict[str, PaperText], list[Finding]]:
    """The texts the numbers are checked against; a missing paper.md is one warning, not a failure."""
    papers: dict[str, PaperText] = {}
    out: list[Finding] = []
    a_text = load_paper_text(folder)
    if a_text is None:
        out.append(Finding(fname, 1, "warning", "numbers-skipped",
                           f"numbers not checked against the paper: {folder / 'paper.md'} is missing or unreadable",
                           f"run paper_info.py {folder / 'paper.pdf'} --out {folder} to write paper.md and tables/, "
                           "then check again"))
        return papers, out
    papers["a"] = a_text
    if not (folder / "tables").is_dir() and a_text.tables:
        out.append(Finding(fname, 1, "warning", "numbers-skipped",
                           f"numbers sourced to a table not checked: {folder / 'tables'} is missing",
                           f"run paper_info.py {folder / 'paper.pdf'} --out {folder} to write tables/"))
    if mode == "compare":
        b_text = load_paper_text(folder, "b/", folder / "images" / "b" / "figures.yaml")
        if b_text is None:
            out.append(Finding(fname, 1, "warning", "numbers-skipped",
                               f"paper B's numbers not checked: {folder / 'b' / 'paper.md'} is missing",
                               "prepare both papers with one command: prepare_paper.py A B --mode compare"))
        else:
            papers["b"] = b_text
    return papers, out


def check_note(target: Path, mode: str = "auto", lang: str = "auto", templates_dir: Path | None = None,
               style_file: Path = STYLE_FILE, display: str | None = None) -> dict[str, Any]:
    """All findings for a note; display is the file name the findings carry (default: the path as given)."""
    readme = resolve_readme(Path(target))
    folder = readme.parent
    try:
        text = readme.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{readme} is not UTF-8 text; save it as UTF-8") from exc
    text = text.replace("\r\n", "\n")
    fname = display or str(readme)
    lists = load_style_lists(style_file)
    doc = mask(text, fname)
    mode, lang = detect(text, doc, mode, lang, templates_dir)
    spec = template_spec(mode, lang, templates_dir)
    paper = load_paper_yaml(folder)
    title = _norm_text(str((paper or {}).get("title") or ""))
    findings = list(doc.findings)
    paper_b = load_paper_yaml(folder / "b") if mode == "compare" else None
    papers, skipped = _load_papers(folder, mode, fname)
    findings += skipped
    findings += check_header(doc, spec, fname, paper, paper_b)
    findings += check_sections(doc, spec, fname)
    findings += check_tldr(doc, spec, fname)
    findings += check_overview(doc, spec, fname)
    findings += check_tilde(doc, fname)
    findings += check_qa(doc, spec, fname)
    b_names = papers["b"].names if "b" in papers else short_names(paper_b or {}, "")
    findings += check_images(doc, folder, fname, mode, b_names)
    findings += check_style(doc, lists, fname, title)
    findings += check_numbers(doc, fname, title, papers, mode)
    for f in findings:
        if f.file == "images/figures.yaml":
            f.file = str(Path(fname).parent / "images" / "figures.yaml")
    findings.sort(key=lambda f: (f.file != fname, f.file, f.line, f.severity != "error"))
    return {
        "readme": str(readme),
        "mode": mode,
        "lang": lang,
        "errors": sum(f.severity == "error" for f in findings),
        "warnings": sum(f.severity == "warning" for f in findings),
        "findings": [asdict(f) for f in findings],
        "_objects": findings,
    }
