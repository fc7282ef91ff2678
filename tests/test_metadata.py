"""The paper's title, authors and arXiv id from page 1, on the layouts that failed on papers no one tuned for.

Each test builds a small PDF with PyMuPDF in the layout of a real failure (affiliation marks and e-mail blocks,
names printed beside their e-mail, ACM grids with two names in one cell, a title broken with a hyphen, an all-caps
title over an all-caps author line, a repository cover page, IEEE grades, capitalised particles) and checks what
read_metadata reads: the facts a user sees in paper.yaml and the note's header.
"""
from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest
from paperkit.facts.metadata import looks_like_name, paper_first_page, read_metadata

W, H = 612, 792
BODY = ("We study how a model learns from data, and we report what it does on three benchmarks. "
        "The method is simple and it works well in practice. ") * 3


def _piece_line(page: pymupdf.Page, x: float, y: float, pieces: list[tuple[str, float, str, float]]) -> float:
    """Writes (text, size, font, rise) pieces left to right from x on baseline y; returns the x where it ends."""
    for text, size, font, rise in pieces:
        page.insert_text((x, y - rise), text, fontsize=size, fontname=font)
        x += pymupdf.get_text_length(text, fontname=font, fontsize=size)
    return x


def _centered(page: pymupdf.Page, y: float, pieces: list[tuple[str, float, str, float]]) -> None:
    width = sum(pymupdf.get_text_length(t, fontname=f, fontsize=s) for t, s, f, _ in pieces)
    _piece_line(page, (W - width) / 2, y, pieces)


def _text(page: pymupdf.Page, y: float, text: str, size: float = 10, font: str = "tiro",
          x: float | None = None) -> None:
    if x is None:
        x = (W - pymupdf.get_text_length(text, fontname=font, fontsize=size)) / 2
    page.insert_text((x, y), text, fontsize=size, fontname=font)


def _abstract(page: pymupdf.Page, y: float) -> None:
    _text(page, y, "Abstract", 12, "tibo")
    words = BODY.split()
    line, yy = "", y + 18
    for w in words:
        if pymupdf.get_text_length(line + " " + w, fontname="tiro", fontsize=10) > 400:
            _text(page, yy, line.strip(), 10, "tiro", x=106)
            line, yy = "", yy + 12
        line += " " + w
    _text(page, yy, line.strip(), 10, "tiro", x=106)


def _body_pages(doc: pymupdf.Document, n: int = 2) -> None:
    for _ in range(n):
        page = doc.new_page(width=W, height=H)
        for i in range(40):
            _text(page, 80 + i * 14, BODY[:95], 10, "tiro", x=72)


def _save(doc: pymupdf.Document, path: Path) -> pymupdf.Document:
    doc.save(path)
    doc.close()
    return pymupdf.open(path)


def _sup(text: str) -> tuple[str, float, str, float]:
    return (text, 7, "tiro", 4)


def _name(text: str, size: float = 11) -> tuple[str, float, str, float]:
    return (text, size, "tibo", 0)


def test_names_with_affiliation_marks_and_an_email_block(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page(width=W, height=H)
    _text(page, 90, "Learning to Read Papers with Small Models", 16, "tibo")
    _centered(page, 125, [_name("Ada Lovelace"), _sup("1,2,∗"), _name(", Alan Turing"), _sup("2"),
                          _name(", Di He"), _sup("1"), _name(", Le Sun"), _sup("2,†")])
    _centered(page, 142, [_sup("1"), ("University of London", 10, "tiro", 0), ("   ", 10, "tiro", 0), _sup("2"),
                          ("Bletchley Park Research", 10, "tiro", 0)])
    _text(page, 156, "{ada, alan}@london.ac.uk   dihe@bp.org   lesun@bp.org", 9, "cour")
    _text(page, 170, "∗Equal contribution. †Corresponding author.", 9)
    _abstract(page, 210)
    _body_pages(doc)
    m = read_metadata(_save(doc, tmp_path / "marks.pdf"))
    assert m["title"] == "Learning to Read Papers with Small Models"
    assert m["authors"] == ["Ada Lovelace", "Alan Turing", "Di He", "Le Sun"]
    assert any("University of London" in a for a in m["affiliations"])
    assert not any("Di He" in a or "Le Sun" in a for a in m["affiliations"])


def test_names_printed_beside_their_email_jmlr_style(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page(width=W, height=H)
    _text(page, 90, "Noisy Estimators via Convex Relaxation", 15, "tibo")
    y = 130
    for name, email, affil in (("Alekh Agarwal", "alekh@eecs.berkeley.edu", None),
                               ("Sahand Negahban", "sahand@eecs.berkeley.edu", "Department of EECS, Berkeley, USA"),
                               ("Martin J. Wainwright", "wainwrig@stat.berkeley.edu", "Department of Statistics, USA")):
        _text(page, y, name, 10, "tibo", x=72)
        _text(page, y, email, 9, "cour", x=540 - pymupdf.get_text_length(email, fontname="cour", fontsize=9))
        y += 12
        if affil:
            _text(page, y, affil, 9, "tiit", x=72)
            y += 14
    _abstract(page, y + 20)
    _body_pages(doc)
    m = read_metadata(_save(doc, tmp_path / "jmlr.pdf"))
    assert m["authors"] == ["Alekh Agarwal", "Sahand Negahban", "Martin J. Wainwright"]


def test_acm_grid_names_above_affiliations_two_names_in_one_cell(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page(width=W, height=H)
    _text(page, 85, "Augmenting Citations in Scientific Papers", 17, "hebo")

    def cell(xc: float, y: float, lines: list[tuple[str, float]]) -> None:
        for text, size in lines:
            _text(page, y, text, size, "helv", x=xc - pymupdf.get_text_length(text, fontname="helv", fontsize=size) / 2)
            y += size + 2

    cell(140, 125, [("Joseph Chee Chang", 12), ("josephc@allenai.org", 10), ("Allen Institute for AI", 10)])
    cell(306, 125, [("Amy X. Zhang", 12), ("axz@cs.uw.edu", 10), ("University of Washington", 10)])
    cell(470, 125, [("Jonathan Bragg", 12), ("jbragg@allenai.org", 10), ("Allen Institute for AI", 10)])
    cell(140, 185, [("Andrew Head", 12), ("head@seas.upenn.edu", 10), ("University of Pennsylvania", 10)])
    cell(306, 185, [("Kyle Lo", 12), ("Doug Downey", 12), ("dougd@allenai.org", 10), ("Allen Institute for AI", 10)])
    cell(470, 185, [("Daniel S. Weld", 12), ("danw@allenai.org", 10), ("University of Washington", 10)])
    _text(page, 270, "ABSTRACT", 11, "hebo", x=72)
    _text(page, 285, BODY[:90], 9, "helv", x=72)
    _body_pages(doc)
    m = read_metadata(_save(doc, tmp_path / "acm.pdf"))
    assert m["authors"] == ["Joseph Chee Chang", "Amy X. Zhang", "Jonathan Bragg", "Andrew Head", "Kyle Lo",
                            "Doug Downey", "Daniel S. Weld"]


def test_title_broken_with_a_hyphen_is_joined(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page(width=W, height=H)
    _text(page, 90, "Scaling Instruction-Tuned Large Lan-", 16, "tibo")
    _text(page, 110, "guage Models for Disentangled Reasoning", 16, "tibo")
    _text(page, 140, "Grace Hopper", 11, "tibo", x=220)
    _text(page, 140, "Edsger Dijkstra", 11, "tibo", x=320)
    _text(page, 154, "Eindhoven University of Technology", 10)
    _abstract(page, 190)
    body = doc.new_page(width=W, height=H)
    _text(body, 80, "Large language models follow instruction-tuned prompts.", 10, x=72)
    m = read_metadata(_save(doc, tmp_path / "hyphen.pdf"))
    assert m["title"] == "Scaling Instruction-Tuned Large Language Models for Disentangled Reasoning"
    assert m["authors"] == ["Grace Hopper", "Edsger Dijkstra"]


def test_all_caps_title_stops_at_the_all_caps_author_line(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page(width=W, height=H)
    _text(page, 90, "INTERCELLULAR WAVES IN", 15, "tibo")
    _text(page, 108, "NEURAL NETWORK TRAINING", 15, "tibo")
    _text(page, 136, "ANDREW CHARLES, MARIA KOCH", 15, "tiro")
    _text(page, 152, "Department of Neurology, UCLA School of Medicine", 9, "tiit")
    _abstract(page, 190)
    _body_pages(doc)
    m = read_metadata(_save(doc, tmp_path / "caps.pdf"))
    assert m["title"].upper() == "INTERCELLULAR WAVES IN NEURAL NETWORK TRAINING"
    assert m["authors"] == ["Andrew Charles", "Maria Koch"]


def test_repository_cover_page_is_not_the_paper(tmp_path):
    doc = pymupdf.open()
    cover = doc.new_page(width=W, height=H)
    _text(cover, 60, "See discussions, stats, and author profiles for this publication at: "
                     "https://www.researchgate.net/publication/123456", 8, x=40)
    _text(cover, 110, "Deep Residual Learning Revisited", 20, "hebo", x=40)
    _text(cover, 140, "Conference Paper · June 2016", 9, x=40)
    _text(cover, 170, "CITATIONS 120   READS 4,000", 9, x=40)
    _text(cover, 700, "All content following this page was uploaded by Kaiming He on 01 July 2016.", 8, x=40)
    page = doc.new_page(width=W, height=H)
    _text(page, 90, "Deep Residual Learning for Image Recognition", 16, "tibo")
    for i, name in enumerate(("Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun")):
        _text(page, 120, name, 11, "tibo", x=120 + 100 * i)
    _text(page, 134, "Microsoft Research", 10)
    _abstract(page, 170)
    _body_pages(doc)
    opened = _save(doc, tmp_path / "cover.pdf")
    assert paper_first_page(opened) == 1
    m = read_metadata(opened)
    assert m["title"] == "Deep Residual Learning for Image Recognition"
    assert m["authors"] == ["Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"]


def test_a_paper_that_cites_researchgate_has_no_cover(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page(width=W, height=H)
    _text(page, 90, "Mining Author Profiles", 16, "tibo")
    _text(page, 120, "Grace Hopper", 11, "tibo")
    _abstract(page, 160)
    _text(page, 400, "We crawl researchgate.net/publication pages for author profiles.", 10, x=72)
    _body_pages(doc)
    opened = _save(doc, tmp_path / "nocover.pdf")
    assert paper_first_page(opened) == 0
    assert read_metadata(opened)["title"] == "Mining Author Profiles"


def test_ieee_grades_and_springer_dots_and_a_name_broken_over_two_lines(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page(width=W, height=H)
    _text(page, 80, "Diffusion Model-Based Image Editing: A Survey", 20, "helv")
    _text(page, 108, "Yi Huang, Jiancheng Huang, Jianzhuang Liu, Senior Member, IEEE,", 10, "helv")
    _text(page, 121, "He Zhang, and Liangliang Cao, Fellow, IEEE", 10, "helv")
    _abstract(page, 170)
    _body_pages(doc)
    m = read_metadata(_save(doc, tmp_path / "ieee.pdf"))
    assert m["authors"] == ["Yi Huang", "Jiancheng Huang", "Jianzhuang Liu", "He Zhang", "Liangliang Cao"]

    doc = pymupdf.open()
    page = doc.new_page(width=W, height=H)
    _text(page, 120, "Deep Multiagent Reinforcement Learning", 13, "hebo", x=72)
    _text(page, 150, "Annie Wong · Thomas Bäck · Anna V.", 9.5, "hebo", x=72)
    _text(page, 162, "Kononova · Aske Plaat", 9.5, "hebo", x=72)
    _abstract(page, 220)
    _body_pages(doc)
    m = read_metadata(_save(doc, tmp_path / "springer.pdf"))
    assert m["authors"] == ["Annie Wong", "Thomas Bäck", "Anna V. Kononova", "Aske Plaat"]


def test_a_team_signs_the_paper_and_a_title_may_say_technical_report(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page(width=W, height=H)
    _text(page, 100, "Attention Residuals: A Technical Report", 17, "tibo")
    _text(page, 130, "Kimi Team", 11, "tibo")
    _text(page, 144, "https://github.com/example/attention-residuals", 9, "cour")
    _abstract(page, 180)
    _body_pages(doc)
    m = read_metadata(_save(doc, tmp_path / "team.pdf"))
    assert m["title"] == "Attention Residuals: A Technical Report"
    assert m["authors"] == ["Kimi Team"]


@pytest.mark.parametrize("name", ["Di He", "Le Sun", "Kang Du", "Dipanjan Das", "Bin Xiao", "Laurens van der Maaten"])
def test_capitalised_particles_are_names(name):
    assert looks_like_name(name)


@pytest.mark.parametrize("text", ["Google Research", "University of London", "Mountain View, CA", "van der"])
def test_places_are_not_names(text):
    assert not looks_like_name(text)


def test_names_apart_by_a_wide_space_and_a_line_ending_in_and(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page(width=W, height=H)
    _text(page, 90, "A Statistical Semantic Parser that Integrates Syntax", 14, "tibo")
    # the gap is one space span as wide as a quad, as LaTeX's \quad prints it (set large here to make it wide)
    _centered(page, 135, [("Ruifang Ge", 12, "tibo", 0), (" ", 30, "tibo", 0), ("Raymond J. Mooney", 12, "tibo", 0)])
    _text(page, 150, "Department of Computer Sciences, University of Texas", 11)
    _abstract(page, 190)
    _body_pages(doc)
    m = read_metadata(_save(doc, tmp_path / "quad.pdf"))
    assert m["authors"] == ["Ruifang Ge", "Raymond J. Mooney"]

    doc = pymupdf.open()
    page = doc.new_page(width=W, height=H)  # a Word layout: authors as large as the title, under it
    _text(page, 80, "A Robust Integrated Multi-Strategy Bus Control System via Deep", 14, "tibo", x=100)
    _text(page, 102, "Reinforcement Learning", 14, "tibo", x=100)
    _piece_line(page, 100, 134, [("Qinghui Nie", 14, "tiro", 0), _sup("a"), (", Jishun Ou", 14, "tiro", 0),
                                 _sup("a"), (", Shen Li", 14, "tiro", 0), _sup("c"), (" and", 14, "tiro", 0)])
    _piece_line(page, 100, 156, [("Haotian Shi", 14, "tiro", 0), _sup("d*")])
    _text(page, 184, "College of Architectural Science and Engineering, Yangzhou University, China", 10, "tiit", x=100)
    _abstract(page, 230)
    _body_pages(doc)
    m = read_metadata(_save(doc, tmp_path / "word.pdf"))
    assert m["title"] == "A Robust Integrated Multi-Strategy Bus Control System via Deep Reinforcement Learning"
    assert m["authors"] == ["Qinghui Nie", "Jishun Ou", "Shen Li", "Haotian Shi"]


# ------------------------------------------------------------------------------------------ venue in the note

def _venue_paper(path: Path, head: str | None = None, foot: str | None = None, stamp: str | None = None) -> Path:
    doc = pymupdf.open()
    page = doc.new_page(width=W, height=H)
    if head:
        _text(page, 40, head, 8, x=72)
    _text(page, 100, "Learning to Read Papers with Small Models", 16, "tibo")
    _text(page, 125, "Ada Lovelace", 11, "tibo", x=220)
    _text(page, 125, "Alan Turing", 11, "tibo", x=330)
    _abstract(page, 170)
    if foot:
        _text(page, 740, foot, 8, x=72)
    if stamp:
        page.insert_text((30, 560), stamp, fontsize=20, fontname="tiro", rotate=90)
    _body_pages(doc)
    doc.save(path)
    doc.close()
    return path


def _venue_line(readme: str) -> str:
    return next(ln for ln in readme.splitlines() if ln.startswith("- **Venue:**"))


def test_the_note_header_never_keeps_the_venue_placeholder(tmp_path):
    from paperkit.note.scaffold import scaffold_note

    cases = {
        "arxiv": ({"stamp": "arXiv:2401.01234v2 [cs.CL] 5 Feb 2026"}, "arXiv preprint (v2, 5 Feb 2026)"),
        "acm-template": ({"foot": "Conference acronym 'XX, June 03-05, 2018, Woodstock, NY",
                          "stamp": "arXiv:2302.07302v1 [cs.HC] 14 Feb 2023"}, "arXiv preprint (v1, 14 Feb 2023)"),
        "aaai": ({"head": "The Thirty-Fourth AAAI Conference on Artificial Intelligence (AAAI-20)"}, "AAAI 2020"),
        "acm": ({"foot": "KDD '19, August 4-8, 2019, Anchorage, AK, USA"}, "KDD 2019"),
        "nothing": ({}, "(no venue printed on the paper)"),
    }
    for name, (kwargs, want) in cases.items():
        pdf = _venue_paper(tmp_path / f"{name}.pdf", **kwargs)
        r = scaffold_note(pdf, tmp_path / "notes", name=name)
        readme = Path(r["readme"]).read_text(encoding="utf-8")
        assert "{{venue}}" not in readme and "{{year}}" not in readme, name
        assert _venue_line(readme) == f"- **Venue:** {want}", name


def test_journal_heads_and_template_lines():
    from paperkit.facts.metadata import find_venue
    from paperkit.facts.textlines import page_lines

    def venue(line: str, y: float = 40) -> tuple[str, str, int | None]:
        doc = pymupdf.open()
        page = doc.new_page(width=W, height=H)
        _text(page, y, line, 8, x=72)
        _text(page, 120, "A Title", 16, "tibo")
        return find_venue(page_lines(page), page.rect)

    assert venue("Journal of Machine Learning Research 21 (2020) 1-67   Submitted 4/19; Published 7/20")[::2] == \
        ("Journal of Machine Learning Research", 2020)
    assert venue("GLIA 24:39-49 (1998)")[::2] == ("GLIA", 1998)
    assert venue("IJCAI-07")[::2] == ("IJCAI", 2007)
    assert venue("Proceedings of the 41 st International Conference on Machine Learning, Vienna, Austria. PMLR 235, "
                 "2024.", 700)[::2] == ("ICML", 2024)
    # Base-14 fonts print ASCII quotes and dashes only; the ACM template's own lines use curly ones
    assert venue("Woodstock '18, June 03-05, 2018, Woodstock, NY", 740) == ("", "", None)
    assert venue("Conference acronym 'XX, June 03-05, 2018, Woodstock, NY", 740) == ("", "", None)
    assert venue("Noname manuscript No. (will be inserted by the editor)") == ("", "", None)


def test_a_small_digit_inside_a_title_word_stays_a_footnote_mark_goes(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page(width=W, height=H)
    _piece_line(page, 120, 100, [("R", 17, "tibo", 0), ("2", 12, "tibo", 5), ("-Guard: Robust LLM Guardrails", 17,
                                                                                "tibo", 0), ("1", 9, "tibo", 6)])
    _text(page, 130, "Mintong Kang", 11, "tibo", x=220)
    _text(page, 130, "Bo Li", 11, "tibo", x=340)
    _abstract(page, 170)
    _body_pages(doc)
    m = read_metadata(_save(doc, tmp_path / "r2.pdf"))
    assert m["title"] == "R2-Guard: Robust LLM Guardrails"
    assert m["authors"] == ["Mintong Kang", "Bo Li"]


def test_names_broken_at_every_line_end_with_orcid_ids_and_letter_marks(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page(width=W, height=H)
    _text(page, 90, "Conditional Radiance Fields for Scene Forecasting", 15, "tibo")
    _piece_line(page, 110, 120, [("Jiezhi Yang", 10, "tiro", 0), _sup("1,H"), (", Khushi Desai", 10, "tiro", 0),
                                 _sup("2"), (", Charles Packer, Harshil", 10, "tiro", 0)])
    _piece_line(page, 110, 132, [("Bhatia", 10, "tiro", 0), _sup("[0009-0007-6840-5791]"),
                                 (", Stéphane d'Ascoli, and Joseph E.", 10, "tiro", 0)])
    _piece_line(page, 110, 144, [("Gonzalez", 10, "tiro", 0), _sup("3")])
    _text(page, 162, "Harvard University MA 02138, USA", 9)
    _abstract(page, 200)
    _body_pages(doc)
    m = read_metadata(_save(doc, tmp_path / "broken.pdf"))
    assert m["authors"] == ["Jiezhi Yang", "Khushi Desai", "Charles Packer", "Harshil Bhatia", "Stéphane d'Ascoli",
                            "Joseph E. Gonzalez"]


def test_capital_surnames_team_names_and_a_big_figure_word_below_the_abstract(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page(width=W, height=H)
    _text(page, 90, "Reducing Idleness in Financial Cloud Services", 15, "tibo")
    _text(page, 118, "Peng YANG, Laoming ZHANG, Haifeng LIU & Guiying LI", 11)
    _text(page, 132, "Microsoft Corporation, One Microsoft Way, Redmond WA 98052", 9)
    _abstract(page, 170)
    _text(page, 330, "GPT-2", 30, "hebo", x=380)  # a figure's label, larger than the title, under the abstract
    _body_pages(doc)
    m = read_metadata(_save(doc, tmp_path / "caps.pdf"))
    assert m["title"] == "Reducing Idleness in Financial Cloud Services"
    assert [a.casefold() for a in m["authors"]] == ["peng yang", "laoming zhang", "haifeng liu", "guiying li"]

    doc = pymupdf.open()
    page = doc.new_page(width=W, height=H)
    _text(page, 100, "DeepSeek-R1: Incentivizing Reasoning", 16, "tibo")
    _text(page, 130, "DeepSeek-AI", 11)
    _text(page, 144, "research@deepseek.com", 9, "cour")
    _abstract(page, 180)
    _body_pages(doc)
    assert read_metadata(_save(doc, tmp_path / "team2.pdf"))["authors"] == ["DeepSeek-AI"]
