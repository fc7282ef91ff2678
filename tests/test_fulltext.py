"""facts/fulltext.py: paper.md loses no text, shows equations and algorithms, and keeps math readable -- on PDFs built
here with PyMuPDF and on the real papers of ../shared/corpus (skipped where absent).

Run as a script for the corpus report: python3 tests/test_fulltext.py [DIR] (DIR: folders <slug>/ made by
smart_extract.py and paper_info.py; default: made afresh in a temporary folder).
"""
from __future__ import annotations

import bisect
import re
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf
import pytest
import yaml
from conftest import CORPUS_PDFS, SCRIPTS, corpus_pdfs, run_script

sys.path.insert(0, str(SCRIPTS))
from paperkit.facts.fulltext import DisplayRef, plain_math, read_displays
from paperkit.facts.textlines import page_lines, page_margins, reading_order

# -- the nothing-lost check, written apart from the code it checks ------------------------------------------------


def squash(text: str) -> str:
    """Letters and digits, lowercase, ligatures and accents undone, spacing accents dropped ('Montr´eal')."""
    text = re.sub("[\U0001D400-\U0001D7FF]", " ", text)  # math italic letters: no letters of prose
    text = text.replace("ı", "i").replace("ȷ", "j")  # LaTeX's dotless i under an accent
    folded = unicodedata.normalize("NFKD", text).lower()
    return "".join(c for c in folded if unicodedata.category(c)[0] in "LN" and unicodedata.category(c) != "Lm")


def md_text(md: str) -> str:
    md = re.sub(r"<!--.*?-->", " ", md, flags=re.DOTALL)
    md = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", md)  # our images
    md = re.sub(r"\]\([^)]*\)", " ", md)  # link targets
    md = re.sub(r"</?(?:sup|sub|mark|u|b|i|br|span)>", " ", md)
    return squash(md)


def pieces(spans: list[dict], text: str) -> list[str]:
    """The line's runs of one font, squashed (a formula's letters stand apart from the words around them)."""
    out, run, font = [], [], None
    for sp in spans or [{"text": text, "font": ""}]:
        if sp.get("cell_break") or sp.get("font") != font:
            out.append(squash("".join(run)))
            run, font = [], sp.get("font")
        run.append(sp["text"])
    out.append(squash("".join(run)))
    return [p for p in out if len(p) >= 3]


def find_chain(text: str, parts: list[str], near: int) -> int:
    """Where the parts stand one after the other (each within 40 characters of the last), the place nearest
    after `near` first; -1 when nowhere."""
    best = -1
    start = text.find(parts[0])
    while start >= 0:
        end = start + len(parts[0])
        for p in parts[1:]:
            k = text.find(p, end, end + 40 + len(p))
            if k < 0:
                break
            end = k + len(p)
        else:
            if start >= near:
                return start
            best = start if best < 0 else best
        start = text.find(parts[0], start + 1)
    return best


@dataclass
class Coverage:
    checked: int = 0  # text lines that must be in paper.md
    exact: int = 0  # found whole (letters and digits, in order, as printed)
    found: int = 0  # found by their runs of one font
    anchored: int = 0  # found, at one place only on the page (a repeated string has no place to order by)
    in_order: int = 0  # of those, in the page's reading order (the longest increasing run of their places)
    excluded: dict[str, int] = field(default_factory=lambda: {"in a figure/table box": 0, "running head/foot or "
                                                              "page number or margin stamp": 0, "rotated": 0,
                                                              "under 4 letters/digits": 0})
    lost: list[tuple[int, str]] = field(default_factory=list)

    def add(self, other: Coverage) -> None:
        for k in ("checked", "exact", "found", "anchored", "in_order"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        for k, v in other.excluded.items():
            self.excluded[k] += v
        self.lost += other.lost


def coverage(folder: Path) -> Coverage:
    """Every horizontal text line of folder/paper.pdf outside the manifest's figure, table and uncaptioned boxes
    and outside running heads, feet, page numbers and margin stamps, looked up in its page's section of paper.md."""
    doc = pymupdf.open(folder / "paper.pdf")
    manifest = yaml.safe_load((folder / "images" / "figures.yaml").read_text(encoding="utf-8"))
    boxes: dict[int, list[pymupdf.Rect]] = {}
    for it in [*(manifest.get("figures") or []), *(manifest.get("tables") or []),
               *(manifest.get("uncaptioned") or [])]:
        boxes.setdefault(it["page"] - 1, []).append(pymupdf.Rect(it["bbox"]) + (-1, -1, 1, 1))
    sections = re.split(r"<!-- page (\d+) -->", (folder / "paper.md").read_text(encoding="utf-8"))
    by_page = {int(sections[i]) - 1: sections[i + 1] for i in range(1, len(sections), 2)}
    pages = [page_lines(p) for p in doc]
    margins = page_margins(pages, [p.rect for p in doc])
    cov = Coverage()
    for i, lines in enumerate(pages):
        text = md_text(by_page.get(i, ""))
        cov.excluded["rotated"] += sum(1 for ln in lines if not ln.horizontal)
        places: list[int] = []
        for ln in reading_order(lines, doc[i].rect.width):
            if not margins[i].keeps(ln.rect, doc[i].rect):
                cov.excluded["running head/foot or page number or margin stamp"] += 1
                continue
            if any(b.contains((ln.rect.tl + ln.rect.br) * 0.5) for b in boxes.get(i, [])):
                cov.excluded["in a figure/table box"] += 1
                continue
            whole = squash(ln.text)
            parts = pieces(ln.spans, ln.text)
            if len(whole) < 4 or not parts:
                cov.excluded["under 4 letters/digits"] += 1
                continue
            cov.checked += 1
            cov.exact += whole in text
            at = find_chain(text, parts, 0)
            if at < 0:
                cov.lost.append((i + 1, ln.text))
                continue
            cov.found += 1
            if find_chain(text, parts, at + 1) <= at:  # nowhere else on the page
                places.append(at)
        cov.anchored += len(places)
        cov.in_order += _longest_increasing(places)
    doc.close()
    return cov


def _longest_increasing(seq: list[int]) -> int:
    tails: list[int] = []
    for x in seq:
        k = bisect.bisect_left(tails, x)
        tails[k:k + 1] = [x]
    return len(tails)


def make_folder(pdf: Path, out: Path) -> Path:
    """smart_extract.py then paper_info.py into out/<slug>/, as a user runs them."""
    folder = out / pdf.stem
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "paper.pdf").write_bytes(pdf.read_bytes())
    for name in ("smart_extract", "paper_info"):
        r = run_script(name, folder / "paper.pdf", *([folder] if name == "smart_extract" else []), "--quiet")
        assert r.returncode == 0, r.stderr
    return folder


# -- built PDFs -----------------------------------------------------------------------------------------------------

PROSE = ("The model reads the whole sequence at once and attends to every position with learned weights, which "
         "lets it relate distant words without recurrence. We train it on large corpora and report the results "
         "of every run in the tables below, with the settings of each experiment. ")


def _paragraph(page: pymupdf.Page, x0: float, y: float, x1: float, lines: int, words: list[str]) -> float:
    """Justified lines of body text at 10 pt, every line but the last reaching x1; returns the next baseline."""
    for n in range(lines):
        row: list[str] = []
        while words and pymupdf.get_text_length(" ".join([*row, words[0]]), "tiro", 10) <= x1 - x0:
            row.append(words.pop(0))
        gap = (x1 - x0 - sum(pymupdf.get_text_length(w, "tiro", 10) for w in row)) / max(len(row) - 1, 1)
        x = x0
        for w in row:
            page.insert_text((x, y), w, fontsize=10, fontname="tiro")
            x += pymupdf.get_text_length(w, "tiro", 10) + (gap if n < lines - 1 else 2.5)
        y += 12
    return y


def test_a_paragraph_a_table_box_took_in_stays_in_paper_md(tmp_path):
    """The manifest's table box runs over the paragraph under the table (a crop gone wrong, or a box drawn by
    hand): the table's cells go, the paragraph stays, in its place, with the table's pointer."""
    from paperkit.facts.fulltext import convert
    from paperkit.facts.textlines import vocabulary

    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    words = (PROSE * 8).split()
    y = _paragraph(page, 108, 80, 504, 6, words)
    page.insert_text((108, y + 10), "Table 1: Results on the test set.", fontsize=9, fontname="tiro")
    page.draw_line((108, y + 16), (504, y + 16), width=0.6)
    for r, row in enumerate([("Model", "BLEU", "Cost"), ("Base", "27.3", "3.3"), ("Big", "28.4", "23.0")]):
        for c, cell in enumerate(row):
            page.insert_text((130 + 150 * c, y + 30 + 13 * r), cell, fontsize=9, fontname="tiro")
    page.draw_line((108, y + 62), (504, y + 62), width=0.6)
    note = ("Under the table we note that the larger model costs seven times more compute for one point of "
            "quality gained on this benchmark, which matters when serving many requests every day, and that the "
            "smaller one trains in half a day on a single machine with eight accelerators.")
    swallowed = note.split()
    y2 = _paragraph(page, 108, y + 82, 504, 3, swallowed[:])
    _paragraph(page, 108, y2 + 14, 504, 5, words)
    box = pymupdf.Rect(106, y + 14, 506, y2)  # the table and, wrongly, the three lines under it
    pages = [page_lines(p) for p in doc]
    margins = page_margins(pages, [p.rect for p in doc])
    vocab = vocabulary(ln.text for ln in pages[0])
    text = convert(doc, pages, margins, [], [], vocab, regions=[(0, box, "[Table 1: cells in tables/tab1.md]")])
    md = text.pages[0]
    assert "[Table 1: cells in tables/tab1.md]" in md
    assert "BLEU" not in md and "28.4" not in md  # the cells are the table's
    kept = " ".join(swallowed)
    assert squash(kept) in squash(md)  # the paragraph the box took in, whole
    assert squash(md).index(squash("Results on the test set")) < squash(md).index(squash(kept))


def test_equation_image_beside_its_text_and_algorithm_in_a_fence(tmp_path):
    from paperkit.facts.fulltext import convert
    from paperkit.facts.textlines import vocabulary

    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    words = (PROSE * 8).split()
    y = _paragraph(page, 108, 80, 504, 4, words)
    page.insert_text((250, y + 16), "FFN(x) = max(0, xW1 + b1)W2 + b2", fontsize=10, fontname="tiro")
    page.insert_text((490, y + 16), "(2)", fontsize=10, fontname="tiro")
    y = _paragraph(page, 108, y + 40, 504, 3, words)
    top = y
    page.draw_line((108, y), (504, y), width=0.8)
    page.insert_text((108, y + 12), "Algorithm 1 Training loop", fontsize=10, fontname="tiro")
    steps = ["for each epoch do", "for each batch do", "update the weights", "end for", "end for"]
    for k, (indent, step) in enumerate(zip((0, 12, 24, 12, 0), steps, strict=True)):
        page.insert_text((118 + indent, y + 30 + 12 * k), step, fontsize=10, fontname="tiro")
    y += 30 + 12 * len(steps)
    page.draw_line((108, y), (504, y), width=0.8)
    _paragraph(page, 108, y + 20, 504, 4, words)
    pages = [page_lines(p) for p in doc]
    margins = page_margins(pages, [p.rect for p in doc])
    displays = [DisplayRef("equation", "2", 0, pymupdf.Rect(245, 0, 400, 0) + (0, top - 70, 0, top - 50),
                           "images/eq2.png"),
                DisplayRef("algorithm", "1", 0, pymupdf.Rect(107, top - 1, 505, y + 1), "images/alg1.png")]
    md = convert(doc, pages, margins, [], [], vocabulary(ln.text for ln in pages[0]), displays=displays).pages[0]
    lines = md.split("\n")
    eq_line = next(k for k, ln in enumerate(lines) if ln.rstrip().endswith("(2)"))
    assert "FFN" in lines[eq_line]
    assert lines[eq_line + 2] == "![Equation (2)](images/eq2.png)"
    fence = md[md.index("```text"):md.index("```", md.index("```text") + 3)].split("\n")[1:]
    assert fence[0] == "Algorithm 1 Training loop"
    # indents kept, the caption at the margin, the steps set in under it
    assert fence[1:6] == ["  for each epoch do", "    for each batch do", "      update the weights", "    end for",
                          "  end for"]
    assert md.index("![Algorithm 1](images/alg1.png)") < md.index("```text")
    assert md.count("update the weights") == 1  # in the fence only, not again as running text


def test_math_letters_lose_their_emphasis_prose_italics_keep_it():
    md = ("We compute _Attention_( _Q, K, V_ ) with _dk_ and _Wq_, scaled by _√dk_ and _qiki_; "
          "see _Scaled Dot-Product Attention_ and _not_ the other.")
    out = plain_math(md, {"Q", "K", "V", "q", "i", "k"}, "dk|qiki")
    assert "( Q, K, V )" in out and " dk " in out and " Wq," in out and "√dk" in out and " qiki;" in out
    assert "_Scaled Dot-Product Attention_" in out and "_not_" in out and "_Attention_(" in out
    assert plain_math("so _A = softmax(QK^T / sqrt(d)) V_ (2)", set(), "") == "so A = softmax(QK^T / sqrt(d)) V (2)"
    assert "_" not in out.replace("_Scaled Dot-Product Attention_", "").replace("_not_", "").replace(
        "_Attention_", "")


def test_read_displays_takes_good_entries_and_passes_over_damaged_ones(tmp_path):
    path = tmp_path / "figures.yaml"
    path.write_text(yaml.safe_dump({"equations": [
        {"label": "Equation (1)", "number": "1", "page": 2, "bbox": [10, 20, 200, 40], "file": "images/eq1.png"},
        {"number": "2", "page": "x", "bbox": [1, 2, 3, 4], "file": "images/eq2.png"},  # a hand edit gone wrong
        "nonsense"], "algorithms": {"not": "a list"}}), encoding="utf-8")
    got = read_displays(path)
    assert [(d.kind, d.number, d.page_index, d.file) for d in got] == [("equation", "1", 1, "images/eq1.png")]
    assert read_displays(tmp_path / "missing.yaml") == []
    (tmp_path / "bad.yaml").write_text("{: not yaml", encoding="utf-8")
    assert read_displays(tmp_path / "bad.yaml") == []


# -- the real papers ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory) -> Path:
    if not CORPUS_PDFS.is_dir():
        pytest.skip(f"real-paper corpus not found at {CORPUS_PDFS} (it lives in ../shared beside the repo)")
    out = tmp_path_factory.mktemp("fulltext")
    for pdf in corpus_pdfs():
        make_folder(pdf, out)
    return out


@pytest.mark.parametrize("slug", [p.stem for p in corpus_pdfs()] or ["attention"])
def test_corpus_nothing_lost(corpus_run, slug):
    cov = coverage(corpus_run / slug)
    assert cov.checked > 100
    assert cov.found == cov.checked, cov.lost[:5]  # every line, on its page
    assert cov.in_order >= 0.95 * cov.anchored  # in reading order, but where two readers' orders differ


def test_corpus_equation_images_in_paper_md(corpus_run):
    for folder in sorted(p for p in corpus_run.iterdir() if p.is_dir()):
        manifest = yaml.safe_load((folder / "images" / "figures.yaml").read_text(encoding="utf-8"))
        md = (folder / "paper.md").read_text(encoding="utf-8")
        sections = re.split(r"<!-- page \d+ -->", md)
        for eq in manifest["equations"]:
            link = f"![{eq['label']}]({eq['file']})"
            assert link in sections[eq["page"]], (folder.name, link)  # on its page
            assert (folder / eq["file"]).is_file()
        assert not re.search(r"(?<![\w\\])_[A-Za-z]{1,2}_(?!\w)", md), folder.name  # no '_dk_' left
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", md), folder.name  # no control characters


def report(root: Path) -> None:
    total = Coverage()
    print(f"{'paper':12} {'lines':>6} {'exact':>7} {'found':>7} {'order':>7}")
    for folder in sorted(p for p in root.iterdir() if (p / "paper.md").is_file()):
        cov = coverage(folder)
        total.add(cov)
        print(f"{folder.name:12} {cov.checked:6d} {cov.exact / cov.checked:7.3f} {cov.found / cov.checked:7.3f} "
              f"{cov.in_order / cov.anchored:7.3f}")
        for page, text in cov.lost[:3]:
            print(f"    lost p{page}: {text[:90]}")
    n = total.checked
    print(f"{'all':12} {n:6d} {total.exact / n:7.3f} {total.found / n:7.3f} {total.in_order / total.anchored:7.3f}")
    print("excluded:", ", ".join(f"{k}: {v}" for k, v in total.excluded.items()))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        report(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            for pdf in corpus_pdfs():
                make_folder(pdf, Path(tmp))
            report(Path(tmp))
