"""scaffold_dir.py: a note folder named by rule, a README from the template with the paper's facts, never
overwriting what is there without --force, and never leaving the notes root whatever the title says."""
from __future__ import annotations

import json
from pathlib import Path

import pymupdf
import pytest
from conftest import run_script
from paperkit.figures.naming import MAX_SHORT_NAME
from paperkit.note.scaffold import TEMPLATES_DIR, fill_template, scaffold_note

TEMPLATE = ("# {{title}}\n\n> {{authors}} · {{venue}} {{year}} · arXiv {{arxiv}} · [PDF]({{pdf_link}})\n\n"
            "## TL;DR\n\n{{tldr}}\n")


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    """A small template set of our own (the skill's templates/ are written by another engineer)."""
    folder = tmp_path / "templates"
    folder.mkdir()
    for mode in ("full", "focus", "compare"):
        for lang in ("en", "zh"):
            (folder / f"{mode}.{lang}.md").write_text(f"<!-- {mode}.{lang} -->\n" + TEMPLATE, encoding="utf-8")
    return folder


def make_pdf(path: Path, title: str, authors: str = "Ada Lovelace, Alan Turing", text: bool = True) -> Path:
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    if text:
        page.insert_text((72, 90), title, fontsize=17, fontname="tibo")
        page.insert_text((72, 130), authors, fontsize=11, fontname="tiro")
        page.insert_text((72, 150), "University of Nowhere", fontsize=9, fontname="tiro")
        page.insert_text((280, 190), "Abstract", fontsize=11, fontname="tibo")
        page.insert_text((100, 210), "We study a thing and find that it works well on all the data we have.",
                         fontsize=10, fontname="tiro")
        page.insert_text((72, 260), "1   Introduction", fontsize=11, fontname="tibo")
    else:
        pix = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 40, 50), False)
        pix.clear_with(230)
        page.insert_image(page.rect, pixmap=pix)
    doc.save(path)
    return path


def test_short_names_and_filled_readme(tmp_path, templates):
    pdf = make_pdf(tmp_path / "dl.pdf", "Attention Is All You Need", "Ashish Vaswani, Noam Shazeer")
    r = scaffold_note(pdf, tmp_path / "notes", templates_dir=templates)
    folder = tmp_path / "notes" / "attention-is-all-you-need"
    assert r["folder"] == str(folder) and r["short_name"] == "attention-is-all-you-need"
    assert r["title"] == "Attention Is All You Need" and r["authors"] == ["Ashish Vaswani", "Noam Shazeer"]
    assert (folder / "paper.pdf").read_bytes() == pdf.read_bytes()
    assert (folder / "images").is_dir()
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("<!-- full.en -->\n# Attention Is All You Need\n")
    # no venue and no arXiv stamp printed: the venue says so rather than leaving {{venue}} for the agent
    assert "> Ashish Vaswani, Noam Shazeer · (no venue printed on the paper) · arXiv {{arxiv}} · [PDF](paper.pdf)" \
        in readme
    assert "{{tldr}}" in readme  # left for the agent
    assert sorted(r["created"]) == sorted(str(p) for p in (folder, folder / "images", folder / "paper.pdf",
                                                            folder / "README.md"))
    assert r["kept"] == []

    bert = make_pdf(tmp_path / "b.pdf", "BERT: Pre-training of Deep Bidirectional Transformers")
    assert scaffold_note(bert, tmp_path / "notes", templates_dir=templates)["short_name"] == "bert"


def test_fill_template_leaves_unknown_placeholders():
    out = fill_template("{{title}} | {{ year }} | {{venue}} | {{method}}", {"title": "T", "year": "2017", "venue": ""})
    assert out == "T | 2017 | {{venue}} | {{method}}"


@pytest.mark.corpus
def test_real_papers_fill_the_header(corpus, tmp_path, templates):
    r = scaffold_note(corpus / "pdfs" / "attention.pdf", tmp_path / "notes", templates_dir=templates, lang="zh")
    readme = Path(r["readme"]).read_text(encoding="utf-8")
    assert r["short_name"] == "attention-is-all-you-need"
    assert readme.startswith("<!-- full.zh -->")
    assert "Ashish Vaswani, Noam Shazeer, Niki Parmar" in readme and "NIPS 2017 · arXiv 1706.03762" in readme
    r = scaffold_note(corpus / "pdfs" / "bert_a.pdf", tmp_path / "notes", templates_dir=templates, mode="focus")
    assert r["short_name"] == "bert" and Path(r["readme"]).read_text(encoding="utf-8").startswith("<!-- focus.en")


def test_no_overwrite_without_force_and_idempotent(tmp_path, templates):
    pdf = make_pdf(tmp_path / "x.pdf", "Deep Residual Learning for Image Recognition")
    first = scaffold_note(pdf, tmp_path / "notes", templates_dir=templates)
    readme, dest = Path(first["readme"]), Path(first["pdf"])
    readme.write_text("my half-written note\n", encoding="utf-8")
    other = make_pdf(tmp_path / "y.pdf", "Deep Residual Learning for Image Recognition", "Kaiming He, Jian Sun")

    again = scaffold_note(other, tmp_path / "notes", templates_dir=templates)
    assert again["folder"] == first["folder"] and again["created"] == []
    assert sorted(again["kept"]) == sorted([str(readme), str(dest)])
    assert readme.read_text(encoding="utf-8") == "my half-written note\n"
    assert dest.read_bytes() == pdf.read_bytes()

    forced = scaffold_note(other, tmp_path / "notes", templates_dir=templates, force=True)
    assert sorted(forced["created"]) == sorted([str(dest), str(readme)]) and forced["kept"] == []
    assert dest.read_bytes() == other.read_bytes()
    assert "Kaiming He, Jian Sun" in readme.read_text(encoding="utf-8")
    assert sorted(p.name for p in Path(first["folder"]).iterdir()) == ["README.md", "images", "paper.pdf"]


def test_scaffolding_the_notes_own_pdf_keeps_it(tmp_path, templates):
    first = scaffold_note(make_pdf(tmp_path / "x.pdf", "Generative Adversarial Nets"), tmp_path / "n",
                          templates_dir=templates)
    again = scaffold_note(Path(first["pdf"]), tmp_path / "n", templates_dir=templates, force=True)
    assert again["folder"] == first["folder"] and str(Path(first["pdf"])) in again["kept"]
    assert Path(first["pdf"]).stat().st_size > 0


@pytest.mark.parametrize(("title", "name"), [
    ("../../etc/passwd", None),
    ("CON", None),
    ("aux: the device", None),
    ("Deep " * 60 + "Learning", None),
    ("A Title", "../../outside"),
    ("A Title", "..\\..\\windows"),
    ("A Title", "/absolute/path"),
])
def test_unsafe_names_stay_inside_root(tmp_path, templates, title, name):
    pdf = make_pdf(tmp_path / "p.pdf", "Placeholder Title For The Paper")
    root = tmp_path / "notes"
    r = scaffold_note(pdf, root, name=name, title=title, templates_dir=templates)
    folder = Path(r["folder"])
    assert folder.parent == root
    assert folder.resolve().is_relative_to(root.resolve())
    short = r["short_name"]
    assert 0 < len(short) <= MAX_SHORT_NAME
    assert short.split("-")[0] not in {"con", "aux", "nul", "prn"} or len(short) > 4
    assert all(c.isascii() and (c.isalnum() or c == "-") for c in short)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes", "p.pdf", "templates"]


def test_cli_prints_folder_and_json(tmp_path, templates):
    pdf = make_pdf(tmp_path / "p.pdf", "Wide & Deep Learning for Recommender Systems", "Heng-Tze Cheng, Levent Koc")
    root = tmp_path / "notes"
    r = run_script("scaffold_dir", pdf, "--root", root, "--templates", templates)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(root / "wide-deep-learning-for-recommender-systems")
    r = run_script("scaffold_dir", pdf, "--root", root, "--templates", templates, "--name", "My WD Note!", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) == {"folder", "readme", "pdf", "images", "short_name", "title", "authors", "created", "kept",
                        "repaired"}
    assert out["short_name"] == "my-wd-note" and out["authors"] == ["Heng-Tze Cheng", "Levent Koc"]
    r = run_script("scaffold_dir", pdf, "--root", root, "--templates", templates, "--name", "My WD Note!")
    assert r.returncode == 0 and "kept the existing" in r.stderr and "--force" in r.stderr


def test_cli_errors(tmp_path, templates):
    pdf = make_pdf(tmp_path / "p.pdf", "Some Paper Title")
    r = run_script("scaffold_dir", pdf, "--root", tmp_path / "n", "--templates", tmp_path / "none")
    assert r.returncode == 1 and "template" in r.stderr and r.stderr.count("\n") == 1
    r = run_script("scaffold_dir", pdf, "--lang", "fr", "--templates", templates)
    assert r.returncode == 2 and "--lang" in r.stderr
    r = run_script("scaffold_dir", tmp_path / "missing.pdf", "--templates", templates)
    assert r.returncode == 1 and "no such file" in r.stderr
    r = run_script("scaffold_dir", pdf, "--root", tmp_path / "n", "--templates", templates, "--name", "  ")
    assert r.returncode == 1 and "--name" in r.stderr
    (tmp_path / "file-root").write_text("x", encoding="utf-8")
    r = run_script("scaffold_dir", pdf, "--root", tmp_path / "file-root", "--templates", templates)
    assert r.returncode == 3 and ("not a folder" in r.stderr or "directory" in r.stderr.lower())
    r = run_script("scaffold_dir", "--help")
    assert r.returncode == 0 and "examples:" in r.stdout


def test_scanned_pdf_named_after_file(tmp_path, templates):
    pdf = make_pdf(tmp_path / "Some Scan (2019).pdf", "", text=False)
    r = scaffold_note(pdf, tmp_path / "notes", templates_dir=templates)
    assert r["short_name"] == "some-scan-2019" and r["title"] == ""
    assert "{{title}}" in Path(r["readme"]).read_text(encoding="utf-8")


def test_fetch_paper_style_call(tmp_path, templates):
    """fetch_paper.py passes the arXiv API's title and authors; they win over the PDF's."""
    pdf = make_pdf(tmp_path / "2401.00001v1.pdf", "A Printed Title That Differs")
    r = scaffold_note(pdf, tmp_path / "notes", title="The arXiv Title: Short", authors=["A. One", "B. Two"],
                      templates_dir=templates)
    assert r["short_name"] == "the-arxiv-title"
    readme = Path(r["readme"]).read_text(encoding="utf-8")
    assert "# The arXiv Title: Short" in readme and "> A. One, B. Two" in readme


def test_skill_templates_when_present(tmp_path):
    """With the skill's own templates (templates/{mode}.{lang}.md), the header placeholders get filled."""
    present = sorted(p.name for p in TEMPLATES_DIR.glob("*.md")) if TEMPLATES_DIR.is_dir() else []
    expected = [f"{m}.{lang}.md" for m in ("compare", "focus", "full") for lang in ("en", "zh")]
    if not set(expected) <= set(present):
        pytest.skip(f"the skill's templates are not all in {TEMPLATES_DIR} yet (found: {present})")
    pdf = make_pdf(tmp_path / "p.pdf", "Attention Is All You Need", "Ashish Vaswani, Noam Shazeer")
    for mode in ("full", "focus", "compare"):
        for lang in ("en", "zh"):
            r = scaffold_note(pdf, tmp_path / f"{mode}-{lang}", mode=mode, lang=lang)
            text = Path(r["readme"]).read_text(encoding="utf-8")
            template = (TEMPLATES_DIR / f"{mode}.{lang}.md").read_text(encoding="utf-8")
            if "{{title}}" in template:
                assert "Attention Is All You Need" in text and "{{title}}" not in text
            if "{{authors}}" in template:
                assert "Ashish Vaswani, Noam Shazeer" in text



def test_sample_paper_note(sample_pdf, tmp_path, templates):
    r = scaffold_note(sample_pdf, tmp_path / "paper-notes", templates_dir=templates)
    assert r["short_name"] == "gaterec"
    assert r["authors"] == ["Lina Park", "Tomas Ortega", "Wei Zhang"]
    readme = Path(r["readme"]).read_text(encoding="utf-8")
    assert "# GateRec: Gated Residual Attention for Sequential Recommendation" in readme
    assert "arXiv 2411.01234" in readme and "{{year}}" not in readme
