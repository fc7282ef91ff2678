"""A note folder for a paper: <root>/<short>/ with paper.pdf, README.md from a template, and images/.

The short name comes from the paper's title as printed on its first page (naming.short_name); what the PDF
says also fills the template's header placeholders. Re-running is harmless: an existing README.md or paper.pdf
is kept unless force is given, and the result says what was kept.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pymupdf

from ..figures.naming import short_name, slugify
from ..io import fsutil
from ..io.errors import OutputError, UserError
from ..io.pdf import check_pdf_path, has_text_layer, open_pdf, was_repaired

LANGS = ("en", "zh")
MODES = ("full", "focus", "compare")
TEMPLATES_DIR = Path(__file__).resolve().parents[3] / "templates"
README = "README.md"
PDF_NAME = "paper.pdf"
IMAGES = "images"
B_DIR = "b"  # a comparison's paper B: b/paper.pdf, b/paper.yaml, ...; its figures in images/b/
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def template_path(mode: str, lang: str, templates_dir: Path | None = None) -> Path:
    """templates/{mode}.{lang}.md, or a UserError naming the templates there are."""
    if mode not in MODES:
        raise UserError(f"unknown --mode {mode!r}; choose one of {', '.join(MODES)}")
    if lang not in LANGS:
        raise UserError(f"unknown --lang {lang!r}; choose one of {', '.join(LANGS)}")
    folder = Path(templates_dir) if templates_dir is not None else TEMPLATES_DIR
    path = folder / f"{mode}.{lang}.md"
    if not path.is_file():
        have = sorted(p.name for p in folder.glob("*.md")) if folder.is_dir() else []
        raise UserError(f"template {path} not found" + (f"; there are: {', '.join(have)}" if have else
                                                        "; the skill's templates/ folder is missing or empty"))
    return path


def fill_template(text: str, values: dict[str, str], blank: frozenset[str] = frozenset()) -> str:
    """Replaces the {{name}} placeholders we know a value for; the others stay for the agent to fill. A name in
    blank whose value is empty is known to be empty (the year an arXiv stamp's date already gives): it goes, with
    the spaces before it."""
    for name in blank:
        if name in values and not values[name]:
            text = re.sub(r"[ \t]*\{\{\s*" + re.escape(name) + r"\s*\}\}", "", text)

    def repl(m: re.Match[str]) -> str:
        value = values.get(m.group(1))
        return value if value else m.group(0)

    return _PLACEHOLDER.sub(repl, text)


def _title_of(pdf: Path) -> str | None:
    """The title printed on a PDF already in a note folder, folded for comparing; None if it cannot be read."""
    try:
        return " ".join((paper_facts(pdf).get("title") or "").lower().split())
    except UserError:
        return None


def paper_facts(pdf: Path, password: str | None = None, doc: pymupdf.Document | None = None) -> dict[str, Any]:
    """Title, authors, venue, year and arXiv id as the first page prints them (empty for a scanned PDF).

    doc is the PDF already opened by the caller, who keeps it open; without it the file is opened here."""
    from ..facts.metadata import read_metadata

    opened = doc if doc is not None else open_pdf(pdf, password)
    try:
        repaired = {"repaired": True} if was_repaired(opened) else {}
        if not has_text_layer(opened):
            return repaired
        return {**read_metadata(opened), **repaired}
    finally:
        if doc is None:
            opened.close()


BLANK_OK = frozenset({"year", "year_b"})  # fill_template's blank: the venue line never keeps {{year}}
_NO_VENUE = {"en": "(no venue printed on the paper)", "zh": "（论文上未印发表处）"}


def venue_and_year(facts: dict[str, Any], lang: str = "en") -> tuple[str, str]:
    """The header's venue and year: the venue the paper prints ('NeurIPS', '2020'); without one, the arXiv stamp
    ('arXiv preprint (v3, 24 Oct 2024)', its date holding the year); without either, a note that none is printed.
    Never empty, so {{venue}} is never left in the note."""
    venue, year = str(facts.get("venue") or ""), str(facts.get("year") or "")
    if venue:
        return venue, year
    if facts.get("arxiv_id"):
        stamp = ", ".join(x for x in (facts.get("arxiv_version") or "", facts.get("arxiv_date") or "") if x)
        if stamp and year and year not in stamp:
            stamp += f"; {year}"
        return (f"arXiv preprint ({stamp})" if stamp else f"arXiv preprint {year}".strip()), ""
    return _NO_VENUE.get(lang, _NO_VENUE["en"]), year


def template_values(facts: dict[str, Any], title: str, authors: list[str], short: str,
                    lang: str = "en") -> dict[str, str]:
    arxiv = facts.get("arxiv_id") or ""
    venue, year = venue_and_year(facts, lang)
    return {
        "title": title,
        "authors": ", ".join(authors),
        "venue": venue,
        "year": year,
        "arxiv": arxiv,
        "arxiv_url": f"https://arxiv.org/abs/{arxiv}" if arxiv else "",
        "pdf_link": PDF_NAME,
        "short_name": short,
    }


def values_of_b(facts: dict[str, Any], title: str, authors: list[str]) -> dict[str, str]:
    """Paper B's header values in a comparison: A's fields with a _b suffix ({{title_b}}), its PDF in b/."""
    values = {f"{k}_b": v for k, v in template_values(facts, title, authors, "").items() if k != "short_name"}
    values["pdf_link_b"] = f"{B_DIR}/{PDF_NAME}"
    return values


def _inside(child: Path, parent: Path) -> bool:
    try:
        child.resolve().relative_to(parent.resolve())
    except ValueError:
        return False
    return True


def scaffold_note(pdf: Path, root: Path, *, name: str | None = None, force: bool = False, lang: str = "en",
                  mode: str = "full", title: str | None = None, authors: list[str] | None = None,
                  templates_dir: Path | None = None, password: str | None = None,
                  doc: pymupdf.Document | None = None, values_b: dict[str, str] | None = None) -> dict[str, Any]:
    """Creates <root>/<short>/ with paper.pdf (copied), README.md (template with the known facts) and images/.

    title/authors replace what is read off the PDF (fetch_paper.py passes the arXiv API's); doc is pdf already
    opened by a caller that reads it further (prepare), so it is read once; values_b fills a comparison's paper B
    placeholders (values_of_b). Returns folder,
    readme, pdf, images, short_name, title, authors, created (paths this call wrote) and kept (paths that
    existed and were left alone because force was not given)."""
    pdf = check_pdf_path(pdf)
    template = template_path(mode, lang, templates_dir)
    facts = paper_facts(pdf, password, doc)
    title = (title or facts.get("title") or "").strip()
    authors = [a for a in (authors if authors is not None else facts.get("authors") or []) if a]
    if name is not None:
        if not name.strip():
            raise UserError("--name is empty; give a short name such as attention-is-all-you-need")
        short = slugify(name)
    elif title:
        short = short_name(title)
    else:
        short = slugify(pdf.stem)  # a scanned paper: no title to read
    root = Path(root)
    folder = root / short
    if not _inside(folder, root):  # slugify makes this impossible; a check costs nothing
        raise UserError(f"the short name {short!r} would leave {root}")

    created: list[str] = []
    kept: list[str] = []
    if not folder.exists():
        created.append(str(folder))
    fsutil.ensure_dir(folder)
    images = folder / IMAGES
    if not images.exists():
        created.append(str(images))
    fsutil.ensure_dir(images)

    dest_pdf = folder / PDF_NAME
    if name is None and dest_pdf.is_file() and not force and not _same_file(pdf, dest_pdf) \
            and _title_of(dest_pdf) != " ".join(title.lower().split()):
        # another paper whose title gives the same short name: keeping its PDF would have the next steps read it
        raise OutputError(f"{folder} already holds a different paper; give this one its own folder with --name "
                          "SHORT, or pass --force to replace it")
    if dest_pdf.exists() and (not force or _same_file(pdf, dest_pdf)):
        kept.append(str(dest_pdf))
    else:
        if dest_pdf.exists() and dest_pdf.is_dir():
            raise OutputError(f"{dest_pdf} is a folder; move it away")
        fsutil.atomic_copy(pdf, dest_pdf, overwrite=True)
        created.append(str(dest_pdf))

    readme = folder / README
    if readme.exists() and not force:
        kept.append(str(readme))
    else:
        text = template.read_text(encoding="utf-8")
        values = {**template_values(facts, title, authors, short, lang), **(values_b or {})}
        fsutil.atomic_write_text(readme, fill_template(text, values, BLANK_OK), overwrite=True)
        created.append(str(readme))

    return {
        "folder": str(folder),
        "readme": str(readme),
        "pdf": str(dest_pdf),
        "images": str(images),
        "short_name": short,
        "title": title,
        "authors": authors,
        "created": created,
        "kept": kept,
        "repaired": bool(facts.get("repaired")),
    }


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
