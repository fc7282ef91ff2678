"""Where a paper prints its numbers: the paper's side of the note's number check.

A note folder holds, for its paper (and for paper B of a comparison, under b/), paper.md (the text with a
`<!-- page N -->` marker per page), tables/tabN.md (the cells) and images/figures.yaml (label, page and caption of
every figure and table). PaperText reads them once and answers "which numbers are printed in Table 3, on p. 7, in
Section 4.2" as sets of canonical number strings, so a note's 0.8 meets the paper's .8 and 1,500 meets 1500.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from ..io import yamlio

# A number as printed: 1,500 / 0.3455 / .8 / 12. Signs and units are left to the caller: values compare as
# absolute numbers ("drops by 0.3" quotes a printed -0.3).
PRINTED_NUM = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\.\d+|\d+)")
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def canon(number: str) -> str | None:
    """'1,500' -> '1500', '.80' -> '0.8', '0.3455' -> '0.3455'; None when it is not a number."""
    try:
        d = Decimal(number.replace(",", "").replace("−", "-").lstrip("+-"))
    except InvalidOperation:
        return None
    s = format(d.normalize(), "f")
    return s if s != "-0" else "0"


def roman_to_int(s: str) -> int | None:
    s = s.upper()
    if not s or any(c not in _ROMAN for c in s):
        return None
    total = 0
    for i, c in enumerate(s):
        v = _ROMAN[c]
        total += -v if i + 1 < len(s) and _ROMAN[s[i + 1]] > v else v
    return total


def norm_label_number(num: str) -> str:
    """A table or figure number as the files write it: 'III' -> '3', 'A-1' -> 'A.1', '4c' -> '4'."""
    num = num.strip().replace("-", ".")
    r = roman_to_int(num) if re.fullmatch(r"[IVXLC]+", num) else None
    if r:
        return str(r)
    return re.sub(r"(?<=\d)[a-z]$", "", num).upper()


def clean_text(text: str) -> str:
    """paper.md's markup out of the way of numbers: '0 _._ 001' and '0 . 001' -> '0.001'; <sup>, **, _ removed."""
    t = re.sub(r"</?su[pb]>", " ", text)
    t = re.sub(r"(\d)\s*_\s*([.,])\s*_\s*(\d)", r"\1\2\3", t)
    t = t.replace("**", " ").replace("_", " ")
    return re.sub(r"(\d) \. (\d)", r"\1.\2", t)  # a decimal point set as a math symbol: '0 . 001'



def values_in(text: str) -> set[str]:
    out = set()
    for m in PRINTED_NUM.finditer(text):
        c = canon(m.group(1))
        if c is not None:
            out.add(c)
    return out


@dataclass
class Region:
    """Text where numbers are printed, with the pages it lies on."""
    values: set[str] = field(default_factory=set)
    pages: set[int] = field(default_factory=set)
    text: str = ""


@dataclass
class PaperText:
    folder: Path
    prefix: str  # "" for the note's paper, "b/" for paper B
    pages: dict[int, Region]
    sections: dict[tuple[str, ...], Region]  # ("4", "2") -> Section 4.2; ("abstract",)
    tables: dict[str, Region]  # "3" -> Table 3 (cells, caption, and the text of its pages)
    table_cells: dict[str, set[str]]
    figures: dict[str, Region]  # "2" -> Figure 2 (caption and the text of its page)
    all_values: set[str]
    names: list[str]  # short names the note may use for this paper ("BERT4Rec", "SASRec"), most used first
    last_page: int
    pdf: Path | None = None
    outline: set[tuple[str, ...]] = field(default_factory=set)  # section numbers paper.yaml's outline lists
    has_cells: bool = True  # tables/ is there: a number sourced to a table can be checked
    _pdf_pages: dict[int, set[str]] = field(default_factory=dict)

    def pdf_page_values(self, pages: set[int]) -> set[str]:
        """Numbers printed on those pages of paper.pdf itself: the last word when paper.md or a cell grid lost one.
        Read only when a number was not found elsewhere; a PDF that will not open adds nothing."""
        out: set[str] = set()
        want = [p for p in pages if p not in self._pdf_pages]
        if want and self.pdf is not None:
            import pymupdf  # here, not at the top: importing MuPDF costs more than checking a whole note

            try:
                with pymupdf.open(self.pdf) as doc:
                    for p in want:
                        self._pdf_pages[p] = values_in(doc[p - 1].get_text()) if 1 <= p <= doc.page_count else set()
            except (RuntimeError, ValueError, OSError):
                self.pdf = None
        for p in pages:
            out |= self._pdf_pages.get(p, set())
        return out

    def page_values(self, pages: list[int]) -> set[str]:
        out: set[str] = set()
        for p in pages:
            if p in self.pages:
                out |= self.pages[p].values
        return out

    def mentioned(self, kind: str) -> set[str]:
        """The table (or figure) numbers paper.md names anywhere: 'Table IX', 'Fig. 3', 'TABLE 2'."""
        words = r"Tables?|TABLES?|Tabs?\." if kind == "table" else r"Figures?|FIGURES?|Figs?\."
        text = "\n".join(r.text for r in self.pages.values())
        return {norm_label_number(m.group(1)) for m in
                re.finditer(rf"\b(?:{words})\s*([A-Z]?\d+(?:\.\d+)?|[IVXL]+\b)", text)}

    def has_section(self, key: tuple[str, ...]) -> bool | None:
        """Whether the paper has that numbered section; None when paper.md shows no numbered headings to tell."""
        if self.section(key) is not None or key in self.outline or key[0] in ("abstract",):
            return True
        if not any(k[0].isdigit() for k in self.sections) and not self.outline:
            return None
        num = r"\.".join(re.escape(k) for k in key)
        text = "\n".join(r.text for r in self.pages.values())
        return bool(re.search(rf"(?m)^[#*_\s]*{num}\.?[*_\s]+[A-Za-z]", text))

    def section(self, key: tuple[str, ...]) -> Region | None:
        hits = [r for k, r in self.sections.items() if k[:len(key)] == key]
        if not hits:
            return None
        reg = Region()
        for r in hits:
            reg.values |= r.values
            reg.pages |= r.pages
        return reg


_PAGE_MARK = re.compile(r"<!--\s*page\s+(\d+)\s*-->")
_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
_CAPTION = re.compile(r"^\s*(?:\*\*|_)*\s*(Table|TABLE|Tab\.|Figure|FIGURE|Fig\.)\s+([A-Z]?\d+(?:[.-]\d+)?|[IVXL]+)"
                      r"\s*(?:\*\*|_)*\s*[:.|]")


def _section_key(title: str, top: tuple[str, ...] | None, top_level: bool = False) \
        -> tuple[tuple[str, ...] | None, bool]:
    """The key of a heading and whether it is a top-level one: '4.2 Main Results' -> ('4','2'); 'IV. EXPERIMENTS'
    -> ('4',); 'E. Recommendation Performance' under IV -> ('4','5'); 'Abstract' -> ('abstract',). top_level: the
    heading is as high as the current top-level one ('## A. Proofs' after '## 5 Conclusion' is an appendix)."""
    t = re.sub(r"[*_]", "", title).strip()
    if re.match(r"(?i)^abstract\b", t) or t.startswith("摘要"):
        return ("abstract",), True
    m = re.match(r"^(\d+(?:\.\d+)*)\.?\s+\S", t)
    if m:
        parts = tuple(m.group(1).split("."))
        return parts, len(parts) == 1
    m = re.match(r"^([IVX]+)\.?\s+\S", t)
    if m and roman_to_int(m.group(1)):
        return (str(roman_to_int(m.group(1))),), True
    m = re.match(r"^([A-Z])\.\s+\S", t)
    if m and top and top[0].isdigit() and not top_level:  # "E. Recommendation Performance" under "IV. EXPERIMENTS"
        return (*top[:1], str(ord(m.group(1)) - 64)), False
    m = re.match(r"^([A-Z])(?:\.(\d+(?:\.\d+)*))?\.?\s+\S", t)
    if m and (m.group(2) or re.match(r"^[A-Z]\.?\s+[A-Z][a-z]", t)):  # appendix "A Proofs", "A. Proofs", "A.2 Data"
        return (m.group(1), *(m.group(2).split(".") if m.group(2) else ())), not m.group(2)
    return None, False


def short_names(meta: dict[str, Any], text: str) -> list[str]:
    title = str(meta.get("title") or "")
    names = set()
    if ":" in title:
        head = title.split(":")[0].strip()
        if 1 <= len(head.split()) <= 3:
            names.add(head)
    abstract = str(meta.get("abstract") or "")
    for m in re.finditer(r"\(([A-Z][\w-]*[A-Z0-9][\w-]*)\)", abstract + " " + title):
        names.add(m.group(1))
    words = re.findall(r"\b[A-Z][a-z]*[A-Z][\w-]*\b|\b[A-Z]{2,}[\w-]*\b", title)
    names |= {w for w in words if len(w) >= 3}
    return sorted(names, key=lambda n: (-text.count(n), n))


yaml_load = yamlio.load


def _load_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def load_paper_text(folder: Path, prefix: str = "", manifest: Path | None = None) -> PaperText | None:
    """The paper in folder/prefix (paper.md, tables/, paper.yaml) and its figure manifest; None without paper.md."""
    base = folder / prefix if prefix else folder
    md_path = base / "paper.md"
    if not md_path.is_file():
        return None
    try:
        md = md_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    meta = _load_yaml(base / "paper.yaml")
    pages: dict[int, Region] = {}
    sections: dict[tuple[str, ...], Region] = {}
    captions: dict[tuple[str, str], set[int]] = {}
    page = 1
    top: tuple[str, ...] | None = None
    top_hashes: int | None = None
    key: tuple[str, ...] | None = None
    for raw in md.split("\n"):
        pm = _PAGE_MARK.search(raw)
        if pm:
            page = int(pm.group(1))
            continue
        line = clean_text(raw)
        h = _MD_HEADING.match(raw)
        if h:
            level = len(raw) - len(raw.lstrip("#"))
            k, is_top = _section_key(h.group(1), top, top_hashes is not None and level <= top_hashes)
            if k is not None:
                key = k
                if is_top:
                    top, top_hashes = k, level
        c = _CAPTION.match(line)
        if c:
            kind = "table" if c.group(1).lower().startswith("tab") else "figure"
            captions.setdefault((kind, norm_label_number(c.group(2))), set()).add(page)
        pr = pages.setdefault(page, Region(pages={page}))
        pr.text += line + "\n"
        if key is not None:
            sr = sections.setdefault(key, Region())
            sr.text += line + "\n"
            sr.pages.add(page)
    for r in (*pages.values(), *sections.values()):
        r.values = values_in(r.text)
    abstract = str(meta.get("abstract") or "")
    if abstract:
        sr = sections.setdefault(("abstract",), Region(pages={1}))
        sr.values |= values_in(abstract)
    # figures and tables: the manifest, the cell files, the captions found in paper.md
    man = _load_yaml(manifest if manifest is not None else folder / "images" / "figures.yaml")
    entries = [x for x in (*(man.get("figures") or []), *(man.get("tables") or [])) if isinstance(x, dict)]
    tables: dict[str, Region] = {}
    figures: dict[str, Region] = {}
    cells: dict[str, set[str]] = {}
    for e in entries:
        label = str(e.get("label") or "")
        kind = "table" if (e.get("kind") == "table" or label.lower().startswith("tab")) else "figure"
        num = norm_label_number(str(e.get("number") or label.split()[-1] if label else ""))
        if not num:
            continue
        reg = (tables if kind == "table" else figures).setdefault(num, Region())
        if isinstance(e.get("page"), int):
            reg.pages.add(e["page"])
        reg.values |= values_in(clean_text(str(e.get("caption") or "")))
    tdir = base / "tables"
    if tdir.is_dir():
        for path in sorted(tdir.glob("tab*.md")):
            m = re.fullmatch(r"tab([A-Za-z]?-?\d+(?:-\d+)*|[IVXLC]+)(?:_\w*)?", path.stem)
            if not m:
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            num = norm_label_number(m.group(1))
            reg = tables.setdefault(num, Region())
            pm = re.search(r"page\s+(\d+)", text[:400])
            if pm:
                reg.pages.add(int(pm.group(1)))
            v = values_in(clean_text(text))
            cells.setdefault(num, set()).update(v)
            reg.values |= v
    for (kind, num), pgs in captions.items():
        reg = (tables if kind == "table" else figures).setdefault(num, Region())
        if not reg.pages:
            reg.pages |= pgs
    for reg in (*tables.values(), *figures.values()):
        for p in reg.pages:  # the table's text on its page, for a grid that lost a cell
            if p in pages:
                reg.values |= pages[p].values
    all_values: set[str] = set()
    for r in (*pages.values(), *tables.values(), *sections.values()):
        all_values |= r.values
    pdf = base / "paper.pdf"
    outline = set()
    for e in meta.get("outline") or []:
        num = str(e.get("number") or "") if isinstance(e, dict) else ""
        parts = [str(roman_to_int(x) or x) if re.fullmatch(r"[IVX]+", x) else x for x in num.strip(".").split(".")]
        if parts and parts[0]:
            outline.add(tuple(parts))
    return PaperText(folder, prefix, pages, sections, tables, cells, figures, all_values, short_names(meta, md),
                     max(pages) if pages else 0, pdf if pdf.is_file() else None, outline, tdir.is_dir())
