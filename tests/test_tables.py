"""Table cells (tables/tabN.md) from the text layer: small PDFs built here, and the real corpus where present."""
from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pymupdf
import pytest
from conftest import CORPUS, SHARED
from paperkit.facts.cells import read_cells
from paperkit.facts.tables import TableItem, is_ours, table_markdown

FONT, BOLD = "tiro", "tibo"


def put(page: pymupdf.Page, x: float, y: float, text: str, size: float = 9, font: str = FONT,
        align: str = "left") -> float:
    """Writes text with its baseline at y; x is its left edge (align left), right edge (right) or centre."""
    w = pymupdf.get_text_length(text, font, size)
    x0 = {"left": x, "right": x - w, "center": x - w / 2}[align]
    page.insert_text((x0, y), text, fontname=font, fontsize=size)
    return x0 + w


def rule(page: pymupdf.Page, x0: float, x1: float, y: float, width: float = 0.6) -> None:
    page.draw_line((x0, y), (x1, y), width=width)


def booktabs(page: pymupdf.Page) -> pymupdf.Rect:
    """A results table: two-line header with a spanned "Accuracy" over two columns, values with ± spreads,
    a bracketed change and a mark, a row-group label, a superscripted power of ten."""
    x0, x1, y = 100, 480, 100
    rule(page, x0, x1, y, 0.8)
    put(page, 110, y + 12, "Method")
    put(page, 300, y + 12, "Accuracy", align="center")
    put(page, 430, y + 12, "Params", align="center")
    rule(page, 240, 360, y + 15, 0.4)  # cmidrule under the spanned header
    put(page, 265, y + 24, "Dev", align="center")
    put(page, 335, y + 24, "Test", align="center")
    rule(page, x0, x1, y + 28, 0.5)
    body = [
        ("Baselines", None, None, None),
        ("LSTM", "71.2 ± 0.3", "70.8 ± 0.4", ("1.2", "7")),
        ("Transformer", "74.5 ± 0.2", "73.9 ± 0.5", ("6.5", "7")),
        ("Ours (full)", "78.1 ± 0.2 (+3.6%)", "77.4 ± 0.3*", ("6.6", "7")),
    ]
    yy = y + 40
    for label, dev, test, params in body:
        put(page, 110, yy, label, font=BOLD if dev is None else FONT)
        if dev:
            put(page, 265, yy, dev, align="center")
            put(page, 335, yy, test, align="center")
            end = put(page, 415, yy, f"{params[0]} · 10")
            put(page, end + 0.3, yy - 3.5, params[1], size=6)
        yy += 12
    rule(page, x0, x1, yy - 7, 0.8)
    return pymupdf.Rect(x0, y - 1, x1, yy - 6)


def free_text(page: pymupdf.Page) -> pymupdf.Rect:
    """A prompt table: one boxed column of paragraphs."""
    x0, x1, y = 100, 480, 400
    page.draw_rect(pymupdf.Rect(x0, y, x1, y + 128), width=0.6)
    paras = [
        "System: You are a helpful assistant that answers questions about the paper you are given, "
        "citing the section each answer comes from and saying so when the paper does not say.",
        "User: Read the following abstract and list the three main contributions of the work in one "
        "sentence each, without repeating the wording of the abstract itself.",
    ]
    yy = y + 14
    for p in paras:
        words, line = p.split(), ""
        for w in words:
            if pymupdf.get_text_length(line + " " + w, FONT, 9) > x1 - x0 - 16:
                put(page, x0 + 8, yy, line.strip())
                yy += 11
                line = ""
            line += " " + w
        put(page, x0 + 8, yy, line.strip())
        yy += 20
    return pymupdf.Rect(x0, y, x1, y + 128)


def wrapped(page: pymupdf.Page) -> pymupdf.Rect:
    """A table under the end of a paragraph the box took in, with a row label wrapped onto a second line."""
    x0, y = 100, 720
    put(page, x0, y, "the tables below report the average over three runs of each model on every task we")
    put(page, x0, y + 11, "consider in this work.")
    yy = y + 26
    xs = [100, 190, 214, 238]
    for cells in (["Model", "A", "B", "C"], ["XLNet-Large-", "88.2", "93.9", "91.8"], ["wikibooks", "", "", ""],
                  ["BERT", "86.7", "93.0", "91.4"]):
        for x, c in zip(xs, cells, strict=True):
            if c:
                put(page, x, yy, c)
        yy += 11
    return pymupdf.Rect(x0 - 1, y - 9, 260, yy - 7)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[pymupdf.Document, dict[str, pymupdf.Rect]]:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    boxes = {"booktabs": booktabs(page), "free": free_text(page), "wrapped": wrapped(page)}
    page.draw_rect(pymupdf.Rect(100, 600, 300, 700), color=(0, 0, 0), fill=(0.8, 0.8, 0.8))
    boxes["empty"] = pymupdf.Rect(100, 600, 300, 700)
    path = tmp_path_factory.mktemp("tables") / "tables.pdf"
    doc.save(path)
    return pymupdf.open(path), boxes


def norm(s: str) -> str:
    return re.sub(r"\s+", "", s)


def test_booktabs_values_keep_their_spread_change_and_mark(built) -> None:
    doc, boxes = built
    cells = read_cells(doc[0], boxes["booktabs"])
    assert cells.kind == "grid"
    rows = [[norm(c) for c in r] for r in cells.rows]
    assert len({len(r) for r in rows}) == 1 and len(rows[0]) == 4, rows  # one column per printed column
    assert ["Ours(full)", "78.1±0.2(+3.6%)", "77.4±0.3*", "6.6·107"] in rows
    assert ["LSTM", "71.2±0.3", "70.8±0.4", "1.2·107"] in rows


def test_spanned_header_is_written_once_and_group_label_is_its_own_row(built) -> None:
    doc, boxes = built
    cells = read_cells(doc[0], boxes["booktabs"])
    rows = [[norm(c) for c in r] for r in cells.rows]
    assert cells.header == 2
    assert rows[0] == ["Method", "Accuracy", "", "Params"]
    assert rows[1] == ["", "Dev", "Test", ""]
    assert rows[2] == ["**Baselines**", "", "", ""]  # printed bold
    assert len(rows) == 6  # one row per printed row


def test_markdown_file_is_ours_and_holds_the_grid(built, tmp_path: Path) -> None:
    doc, boxes = built
    item = TableItem(number="2", page=1, rect=boxes["booktabs"], caption="Table 2: Results.", label="Table 2")
    md = table_markdown(doc[0], item)
    f = tmp_path / item.filename
    f.write_text(md, encoding="utf-8")
    assert item.filename == "tab2.md" and is_ours(f)
    assert "Table 2: Results." in md
    assert "| Ours (full) | 78.1 ± 0.2 (+3.6%) | 77.4 ± 0.3* | 6.6 · 107 |" in md


def test_free_text_box_is_a_list_of_its_paragraphs(built) -> None:
    doc, boxes = built
    cells = read_cells(doc[0], boxes["free"])
    assert cells.kind == "text"
    assert len(cells.items) == 2
    assert cells.items[0].startswith("System: You are a helpful assistant")
    assert cells.items[1].endswith("wording of the abstract itself.")
    md = table_markdown(doc[0], TableItem(number="3", page=1, rect=boxes["free"]))
    assert "|" not in md.split("-->", 1)[1]  # no grid


def test_box_without_text_says_why_it_has_no_grid(built) -> None:
    doc, boxes = built
    cells = read_cells(doc[0], boxes["empty"])
    assert cells.kind == "none" and cells.reason
    md = table_markdown(doc[0], TableItem(number="4", page=1, rect=boxes["empty"]))
    assert "No grid:" in md and "|---" not in md


def test_paragraph_in_the_box_is_dropped_and_wrapped_label_joins_its_row(built) -> None:
    doc, boxes = built
    cells = read_cells(doc[0], boxes["wrapped"])
    assert cells.kind == "grid"
    assert cells.rows == [["Model", "A", "B", "C"], ["XLNet-Large-wikibooks", "88.2", "93.9", "91.8"],
                          ["BERT", "86.7", "93.0", "91.4"]]


SMALL = [["Model", "Acc", "F1"], ["LSTM", "71.2 ± 0.3", "70.1"], ["Ours", "78.1 ± 0.2", "77.0"]]


def test_sideways_table_reads_in_its_own_direction(tmp_path: Path) -> None:
    """A table set sideways on a portrait page (text running bottom to top, rules vertical)."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    for i, row in enumerate(SMALL):
        for j, c in enumerate(row):
            page.insert_text((200 + i * 14, 600 - j * 80), c, fontname=FONT, fontsize=9, rotate=90)
    for x in (185, 205, 235):
        page.draw_line((x, 350), (x, 620), width=0.6)
    doc.save(tmp_path / "side.pdf")
    with pymupdf.open(tmp_path / "side.pdf") as d:
        cells = read_cells(d[0], pymupdf.Rect(180, 340, 240, 630))
    assert cells.kind == "grid" and cells.rows == SMALL and cells.header == 1


def test_table_on_a_rotated_page_is_found_in_the_page_coordinates(tmp_path: Path) -> None:
    """A landscape page stored rotated: the manifest's box is in the rotated page's coordinates."""
    doc = pymupdf.open()
    page = doc.new_page(width=842, height=595)
    for i, row in enumerate(SMALL):
        for j, c in enumerate(row):
            page.insert_text((100 + j * 80, 100 + i * 14), c, fontname=FONT, fontsize=9)
    page.set_rotation(90)
    doc.save(tmp_path / "rot.pdf")
    with pymupdf.open(tmp_path / "rot.pdf") as d:
        box = pymupdf.Rect(90, 85, 400, 135) * d[0].rotation_matrix
        assert read_cells(d[0], box).rows == SMALL


# --- the real corpus ---------------------------------------------------------------------------------------------

GRIDS = CORPUS / "tables"


def corpus_table(slug: str, number: str) -> list[list[str]]:
    data = json.loads((CORPUS / "annotations" / f"{slug}.json").read_text())
    it = next(i for i in data["items"] if i["kind"] == "table" and i["number"] == number)
    with pymupdf.open(CORPUS / "pdfs" / data["pdf"]) as doc:
        cells = read_cells(doc[it["page"] - 1], pymupdf.Rect(it["bbox"]))
    return [[norm(c).replace("*", "") for c in r] for r in cells.rows]


@pytest.mark.parametrize(("slug", "number", "row"), [
    ("attention", "2", ["Transformer(big)", "28.4", "41.8", "2.3·1019", ""]),  # value centred over two columns
    ("autoint", "3", ["#Params", "1.6×105", "3×103", "1.9×106", "4×103", "3.9×104"]),  # superscripts
    ("dcnv2", "5", ["2nd", "PNN[35]", "0.4715±4.430e-04", "OPNN,kernel=matrix"]),  # multirow label, top row
    ("dcnv2", "7", ["LogLoss", "CrossNet", "0.4424", "0.4417", "0.4416", "0.4415"]),  # label between rows
    ("bert_a", "3", ["TopLeaderboardSystems(Dec10th,2018)", "", "", "", ""]),  # section row in one cell
    ("resnet", "10", ["baseline+++", "ResNet-101", "COCO+07+12", "85.6", "90.0", "89.6", "87.8", "80.8", "76.1",
                      "89.9", "89.9", "89.6", "75.5", "90.0", "80.7", "89.6", "90.3", "89.1", "88.7", "65.4",
                      "88.1", "85.6", "89.0", "86.8"]),  # 24 tight columns
])
def test_corpus_rows(corpus: Path, slug: str, number: str, row: list[str]) -> None:
    assert row in corpus_table(slug, number)


def cell_scores(annotations: Path, pdfs: Path, grids: Path) -> tuple[float, float, float]:
    """(rows, columns, tables) of our cells in the annotated boxes, by ../shared/bench/score_cells.py."""
    scorer = SHARED / "bench" / "score_cells.py"
    if not scorer.is_file() or not grids.is_dir():
        pytest.skip(f"{scorer} or {grids} not found")
    spec = importlib.util.spec_from_file_location("score_cells", scorer)
    sc = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(sc)  # type: ignore[union-attr]
    totals = [0, 0, 0, 0, 0]  # rows, right, columns right, tables, tables right
    for gf in sorted(grids.glob("*.json")):
        grid = json.loads(gf.read_text())
        slug, tab = gf.stem.split("__")
        if not grid.get("rows") or not (annotations / f"{slug}.json").is_file():
            continue
        data = json.loads((annotations / f"{slug}.json").read_text())
        it = next((i for i in data["items"] if i["kind"] == "table"
                   and "tab" + re.sub(r"[^A-Za-z0-9]+", "-", i["number"]) == tab), None)
        if it is None or not (pdfs / data["pdf"]).is_file():
            continue
        with pymupdf.open(pdfs / data["pdf"]) as doc:
            item = TableItem(number=it["number"], page=it["page"], rect=pymupdf.Rect(it["bbox"]))
            md = table_markdown(doc[it["page"] - 1], item)
        n, right, cols, _ = sc.score_table(grid["rows"], sc.md_rows(md))
        if n:
            totals = [totals[0] + n, totals[1] + right, totals[2] + cols, totals[3] + 1, totals[4] + (right == n)]
    if not totals[0]:
        pytest.skip(f"no PDF in {pdfs} for the grids in {grids}")
    return totals[1] / totals[0], totals[2] / totals[0], totals[4] / totals[3]


def test_corpus_cell_scores_stay_above_the_measured_floor(corpus: Path) -> None:
    """Measured 0.989 rows, 0.984 columns, 0.988 tables on the 101 dev grids (2026-12-04)."""
    rows, columns, tables = cell_scores(CORPUS / "annotations", CORPUS / "pdfs", GRIDS)
    assert rows >= 0.97 and columns >= 0.96 and tables >= 0.96, (rows, columns, tables)


def test_second_corpus_cell_scores_stay_above_a_floor() -> None:
    """bench/corpus2: papers the engine was not built on (PDFs in ../pool/pdfs, skipped where absent); measured
    0.981 rows, 0.967 columns, 0.969 tables on its first 150 grids (2026-12-04); the floor leaves room for the
    grids still being added."""
    root = Path(__file__).resolve().parents[1]
    rows, columns, tables = cell_scores(root / "bench" / "corpus2" / "annotations", root.parent / "pool" / "pdfs",
                                        root / "bench" / "corpus2" / "tables")
    assert rows >= 0.93 and columns >= 0.9 and tables >= 0.85, (rows, columns, tables)
