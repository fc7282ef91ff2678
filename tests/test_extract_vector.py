"""extract_vector.py: every vector drawing cluster with its labels, rendered without annotations -- on PDFs built
here, on the sample paper and on the real papers of ../shared/corpus."""
from __future__ import annotations

import json
import re

import pymupdf
import pytest
from conftest import CORPUS_GT, ROOT, corpus_pdfs, run_script

NAME_RE = re.compile(r"vec_p\d+_\d+\.png")
TRUTH = ROOT / "tests" / "data" / "sample-paper-truth.json"
BLUE = (0, 0, 1)


def iou(a, b) -> float:
    a, b = pymupdf.Rect(a), pymupdf.Rect(b)
    inter = a & b
    i = 0.0 if inter.is_empty else abs(inter)
    u = abs(a) + abs(b) - i
    return i / u if u else 0.0


def draw_plot(page: pymupdf.Page, x0: float, y0: float, w: float = 300, h: float = 200, labels: bool = True) -> None:
    """Axes, a blue curve, tick marks; with labels: tick values, an x-axis title below them, a rotated y title."""
    x1, y1 = x0 + w, y0 + h
    page.draw_line((x0, y1), (x1, y1), width=0.8)
    page.draw_line((x0, y0), (x0, y1), width=0.8)
    page.draw_polyline([(x0 + 10, y1 - 20), (x0 + w / 3, y0 + 80), (x0 + 2 * w / 3, y0 + 40), (x1 - 10, y0 + 20)],
                       color=BLUE, width=1.5)
    for k in range(6):
        tx = x0 + k * w / 5
        page.draw_line((tx, y1), (tx, y1 + 3), width=0.5)
        if labels:
            page.insert_text((tx - 4, y1 + 12), str(k * 10), fontsize=7)
    if labels:
        page.insert_text((x0 + w / 2 - 30, y1 + 26), "Training epochs", fontsize=8)
        page.insert_text((x0 - 6, y0 + h / 2 + 15), "Accuracy", fontsize=8, rotate=90)


PARAGRAPH = ("Body text of the paper runs in this column. It says nothing about the plot and must stay out of the "
             "cluster, whatever the tolerances allow. ") * 3


@pytest.fixture(scope="module")
def plots_pdf(tmp_path_factory):
    doc = pymupdf.open()
    p1 = doc.new_page(width=612, height=792)
    p1.insert_text((60, 45), "Running header of the paper", fontsize=8)
    p1.draw_line((50, 50), (562, 50), width=0.5)  # a page-wide header rule
    p1.insert_textbox(pymupdf.Rect(100, 80, 500, 180), PARAGRAPH, fontsize=10)
    draw_plot(p1, 150, 200)
    p1.insert_text((100, 450), "Figure 1: Accuracy over training epochs.", fontsize=9)
    p1.insert_textbox(pymupdf.Rect(100, 470, 500, 570), PARAGRAPH, fontsize=10)
    p1.insert_text((100, 620), "an underlined word", fontsize=10)
    p1.draw_line((100, 623), (185, 623), width=0.6)
    annot = p1.add_rect_annot(pymupdf.Rect(200, 250, 300, 300))  # a reader's mark over the plot
    annot.set_colors(stroke=(0, 1, 0), fill=(0, 1, 0))
    annot.update()
    p2 = doc.new_page(width=612, height=792)
    draw_plot(p2, 60, 100, w=220, h=150, labels=False)
    draw_plot(p2, 320, 100, w=220, h=150, labels=False)  # 40 pt to the right of the first
    p3 = doc.new_page(width=612, height=792)
    draw_plot(p3, 150, 200)
    p3.set_rotation(90)
    path = tmp_path_factory.mktemp("vec") / "plots.pdf"
    doc.save(path)
    return path


def extract(pdf, out, *extra) -> list[dict]:
    r = run_script("extract_vector", pdf, out, "--json", "--quiet", *extra)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)["images"]


def test_plot_with_its_labels_and_nothing_else(plots_pdf, tmp_path):
    items = [i for i in extract(plots_pdf, tmp_path, "--pages", "1") if i["page"] == 1]
    assert [i["file"] for i in items] == ["vec_p1_1.png"]  # no header rule, no underline
    box = pymupdf.Rect(items[0]["bbox"])
    page = pymupdf.open(plots_pdf)[0]
    for label in ("Training epochs", "Accuracy", "0", "50"):
        hits = page.search_for(label)
        assert hits and any(box.contains(h) for h in hits), label
    assert box.contains(pymupdf.Rect(150, 200, 450, 400))
    for outside in ("Figure 1:", "Body text", "Running header", "underlined"):
        assert not any(box.intersects(h) for h in page.search_for(outside)), outside


def test_rendered_without_annotations(plots_pdf, tmp_path):
    item = extract(plots_pdf, tmp_path, "--pages", "1", "--dpi", "100")[0]
    pix = pymupdf.Pixmap(str(tmp_path / item["file"]))
    box = pymupdf.Rect(item["bbox"])
    assert abs(pix.width - box.width * 100 / 72) <= 2 and abs(pix.height - box.height * 100 / 72) <= 2
    colours = {pix.pixel(x, y) for x in range(0, pix.width, 2) for y in range(0, pix.height, 2)}
    assert any(b > 200 and r < 80 for r, _g, b in colours)  # the blue curve is there
    assert not any(g > 200 and r < 80 and b < 80 for r, g, b in colours)  # the green annotation is not


def test_tolerances_split_or_join(plots_pdf, tmp_path):
    apart = extract(plots_pdf, tmp_path / "a", "--pages", "2")
    assert [i["file"] for i in apart] == ["vec_p2_1.png", "vec_p2_2.png"]
    joined = extract(plots_pdf, tmp_path / "b", "--pages", "2", "--x-tolerance", "50")
    assert len(joined) == 1 and pymupdf.Rect(joined[0]["bbox"]).contains(pymupdf.Rect(60, 100, 540, 250))


def test_rotated_page(plots_pdf, tmp_path):
    items = extract(plots_pdf, tmp_path, "--pages", "3")
    page = pymupdf.open(plots_pdf)[2]
    assert len(items) == 1
    box = pymupdf.Rect(items[0]["bbox"])
    assert box in page.rect  # 792 x 612, as displayed
    assert box.contains(pymupdf.Rect(150, 200, 450, 400) * page.rotation_matrix)
    pix = pymupdf.Pixmap(str(tmp_path / items[0]["file"]))
    assert pix.width < pix.height  # the plot stands on its side, as the page shows it


def test_min_size_drops_small_clusters(plots_pdf, tmp_path):
    assert extract(plots_pdf, tmp_path, "--pages", "2", "--min-size", "300") == []


@pytest.mark.parametrize("spec", ["9", "2-1", "x"])
def test_bad_pages(plots_pdf, tmp_path, spec):
    r = run_script("extract_vector", plots_pdf, tmp_path / "out", "--pages", spec)
    assert r.returncode == 1 and "--pages" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_overwrite_rules_and_idempotent_rerun(plots_pdf, tmp_path):
    first = extract(plots_pdf, tmp_path)
    assert extract(plots_pdf, tmp_path) == first  # its own files are replaced without --force
    (tmp_path / "vec_p1_1.png").unlink()
    (tmp_path / "extract_vector.json").unlink()
    (tmp_path / "vec_p1_1.png").write_bytes(b"mine")
    r = run_script("extract_vector", plots_pdf, tmp_path)
    assert r.returncode == 3 and "--force" in r.stderr
    assert (tmp_path / "vec_p1_1.png").read_bytes() == b"mine"
    assert extract(plots_pdf, tmp_path, "--force") == first


@pytest.mark.parametrize("content", [b"%%% not a pdf\n", None])
def test_bad_input_one_line_error(tmp_path, content):
    pdf = tmp_path / "paper.pdf"
    if content is not None:
        pdf.write_bytes(content)
    r = run_script("extract_vector", pdf, tmp_path / "out")
    assert r.returncode == 1 and r.stderr.startswith("extract_vector.py: error: ")
    assert len(r.stderr.strip().splitlines()) == 1 and not (tmp_path / "out").exists()


def test_help_has_examples():
    r = run_script("extract_vector", "--help")
    assert r.returncode == 0 and "examples:" in r.stdout and "--x-tolerance" in r.stdout


def test_sample_paper_vector_figures(sample_pdf, tmp_path):
    if not TRUTH.exists():
        pytest.fail("tests/data/sample-paper-truth.json is missing: run python tests/make_sample_paper.py")
    items = extract(sample_pdf, tmp_path)
    doc = pymupdf.open(sample_pdf)
    checked = 0
    for t in json.loads(TRUTH.read_text(encoding="utf-8"))["items"]:
        truth = pymupdf.Rect(t["bbox"])
        if t["kind"] != "figure" or any(pymupdf.Rect(i["bbox"]).intersects(truth)
                                        for i in doc[t["page"] - 1].get_image_info()):
            continue  # raster figures are extract_embedded's
        parts = [pymupdf.Rect(i["bbox"]) for i in items if i["page"] == t["page"]
                 and abs(pymupdf.Rect(i["bbox"]) & truth) > 0.5 * abs(pymupdf.Rect(i["bbox"]))]
        assert parts, t["label"]
        whole = parts[0]
        for r in parts[1:]:
            whole |= r  # a figure of several panels comes out as one cluster per panel
        assert iou(whole, truth) >= 0.8, (t["label"], whole, truth)
        checked += 1
    assert checked >= 2


# figures drawn as vectors whose cluster matches the annotated box (IoU >= 0.7 at the default tolerances)
KNOWN = [("attention", "Figure 3"), ("autoint", "Figure 1"), ("resnet", "Figure 2"), ("sasrec", "Figure 3"),
         ("widedeep", "Figure 1"), ("xdeepfm", "Figure 5"), ("youtubednn", "Figure 6")]


def test_corpus_vector_figures(corpus, tmp_path):
    for slug, name in KNOWN:
        truth = next(i for i in json.loads((CORPUS_GT / f"{slug}.json").read_text(encoding="utf-8"))["items"]
                     if i["name"] == name)
        items = extract(corpus / "pdfs" / f"{slug}.pdf", tmp_path / slug, "--pages", str(truth["page"]),
                        "--dpi", "72")
        best = max((iou(i["bbox"], truth["bbox"]) for i in items), default=0.0)
        assert best >= 0.7, (slug, name, best)


@pytest.mark.parametrize("pdf", corpus_pdfs(), ids=lambda p: p.stem)
def test_every_corpus_paper(pdf, tmp_path):
    items = extract(pdf, tmp_path, "--dpi", "72")
    assert all(NAME_RE.fullmatch(i["file"]) for i in items)
    assert sorted(p.name for p in tmp_path.glob("*.png")) == sorted(i["file"] for i in items)
    assert not list(tmp_path.glob(".*"))
