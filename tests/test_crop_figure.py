"""crop_figure.py: one region of a page, in displayed-page points, to PNG -- right on rotated pages and odd CropBoxes,
validated, never overwriting by surprise."""
from __future__ import annotations

import hashlib
import json

import pymupdf
import pytest
import yaml
from conftest import ROOT, run_script

TRUTH = ROOT / "tests" / "data" / "sample-paper-truth.json"
RED, BLUE = (1, 0, 0), (0, 0, 1)


@pytest.fixture(scope="module")
def pages_pdf(tmp_path_factory):
    """p1: plain Letter, red square at (100, 100, 200, 150), a green annotation over (300, 300, 400, 400);
    p2: the red rectangle on a page rotated 90 degrees; p3: a blue square under a CropBox that starts at (50, 60)."""
    doc = pymupdf.open()
    p1 = doc.new_page(width=612, height=792)
    p1.draw_rect(pymupdf.Rect(100, 100, 200, 150), color=None, fill=RED)
    annot = p1.add_rect_annot(pymupdf.Rect(300, 300, 400, 400))
    annot.set_colors(stroke=(0, 1, 0), fill=(0, 1, 0))
    annot.update()
    p2 = doc.new_page(width=612, height=792)
    p2.draw_rect(pymupdf.Rect(100, 100, 200, 150), color=None, fill=RED)
    p2.set_rotation(90)
    p3 = doc.new_page(width=612, height=792)
    p3.draw_rect(pymupdf.Rect(300, 400, 350, 450), color=None, fill=BLUE)
    p3.set_cropbox(pymupdf.Rect(50, 60, 500, 700))
    path = tmp_path_factory.mktemp("crop") / "pages.pdf"
    doc.save(path)
    return path


def crop(pdf, page, box, out, *extra) -> dict:
    r = run_script("crop_figure", pdf, str(page), *map(str, box), out, "--json", *extra)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def colours(png) -> set[tuple[int, ...]]:
    pix = pymupdf.Pixmap(str(png))
    step = max(1, pix.width // 200)
    return {pix.pixel(x, y) for x in range(0, pix.width, step) for y in range(0, pix.height, step)}


def test_plain_page_region(pages_pdf, tmp_path):
    data = crop(pages_pdf, 1, (110, 110, 190, 140), tmp_path / "red.png", "--dpi", "144")
    assert (data["width"], data["height"]) == (160, 60)
    assert colours(tmp_path / "red.png") == {(255, 0, 0)}


def test_no_annotations(pages_pdf, tmp_path):
    crop(pages_pdf, 1, (310, 310, 390, 390), tmp_path / "a.png", "--dpi", "72")
    assert colours(tmp_path / "a.png") == {(255, 255, 255)}


def test_rotated_page(pages_pdf, tmp_path):
    doc = pymupdf.open(pages_pdf)
    page = doc[1]
    assert page.rect == pymupdf.Rect(0, 0, 792, 612)
    shown = pymupdf.Rect(100, 100, 200, 150) * page.rotation_matrix  # where the reader sees the red rectangle
    assert shown == pymupdf.Rect(642, 100, 692, 200)
    crop(pages_pdf, 2, (650, 110, 685, 190), tmp_path / "in.png", "--dpi", "72")
    assert colours(tmp_path / "in.png") == {(255, 0, 0)}
    crop(pages_pdf, 2, (110, 110, 190, 140), tmp_path / "unrotated.png", "--dpi", "72")
    assert colours(tmp_path / "unrotated.png") == {(255, 255, 255)}  # the unrotated place is empty on screen


def test_odd_cropbox(pages_pdf, tmp_path):
    # drawn at (300, 400, 350, 450) in the MediaBox; the CropBox starts at (50, 60), so it shows at (250, 340)
    crop(pages_pdf, 3, (255, 345, 295, 385), tmp_path / "blue.png", "--dpi", "72")
    assert colours(tmp_path / "blue.png") == {(0, 0, 255)}
    data = crop(pages_pdf, 3, (400, 0, 600, 100), tmp_path / "edge.png", "--dpi", "72")
    assert data["bbox"] == [400, 0, 450, 100]  # cut to the visible page, 450 pt wide


@pytest.mark.parametrize("args, words", [
    (("9", "10", "10", "100", "100"), "out of range"),
    (("1", "200", "10", "100", "100"), "x1 must exceed x0"),
    (("1", "10", "100", "100", "100"), "y1 must exceed y0"),
    (("1", "700", "800", "900", "900"), "outside page"),
])
def test_bad_region(pages_pdf, tmp_path, args, words):
    r = run_script("crop_figure", pages_pdf, *args, tmp_path / "x.png")
    assert r.returncode == 1 and words in r.stderr
    assert r.stderr.startswith("crop_figure.py: error: ") and len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("content", [b"Hello, I am a text file.\n", None])
def test_bad_pdf(tmp_path, content):
    pdf = tmp_path / "paper.pdf"
    if content is not None:
        pdf.write_bytes(content)
    r = run_script("crop_figure", pdf, "1", "0", "0", "10", "10", tmp_path / "x.png")
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_not_png(pages_pdf, tmp_path):
    r = run_script("crop_figure", pages_pdf, "1", "0", "0", "10", "10", tmp_path / "x.jpg")
    assert r.returncode == 1 and ".png" in r.stderr


def test_overwrite_only_with_force(pages_pdf, tmp_path):
    out = tmp_path / "sub" / "fig.png"  # the folder is created
    crop(pages_pdf, 1, (100, 100, 200, 150), out)
    first = out.read_bytes()
    crop(pages_pdf, 1, (100, 100, 200, 150), out)  # the same crop again: nothing changes, no error
    assert out.read_bytes() == first
    r = run_script("crop_figure", pages_pdf, "1", "100", "100", "300", "300", out)
    assert r.returncode == 3 and "--force" in r.stderr and out.read_bytes() == first
    crop(pages_pdf, 1, (100, 100, 300, 300), out, "--force")
    assert out.read_bytes() != first
    assert [p.name for p in out.parent.iterdir()] == ["fig.png"]  # no temporary files left


def test_help_has_examples():
    r = run_script("crop_figure", "--help")
    assert r.returncode == 0 and "examples:" in r.stdout and "X0 Y0 X1 Y1" in r.stdout


def test_sample_paper_truth_box(sample_pdf, tmp_path):
    if not TRUTH.exists():
        pytest.fail("tests/data/sample-paper-truth.json is missing: run python tests/make_sample_paper.py")
    t = json.loads(TRUTH.read_text(encoding="utf-8"))["items"][0]
    data = crop(sample_pdf, t["page"], t["bbox"], tmp_path / "fig.png", "--dpi", "100")
    w, h = (t["bbox"][2] - t["bbox"][0]) * 100 / 72, (t["bbox"][3] - t["bbox"][1]) * 100 / 72
    assert abs(data["width"] - w) <= 2 and abs(data["height"] - h) <= 2
    assert len(colours(tmp_path / "fig.png")) > 2  # ink, not a blank region


def test_corpus_paper(corpus, tmp_path):
    data = crop(corpus / "pdfs" / "attention.pdf", 4, (108, 70, 504, 240), tmp_path / "fig.png")
    assert data["width"] == 1100 and abs(data["height"] - 472) <= 1  # 396 x 170 pt at 200 dpi
    assert len(colours(tmp_path / "fig.png")) > 2


def test_box_with_decimals_inside_the_page_gets_no_note(pages_pdf, tmp_path):
    # MuPDF's 32-bit intersection turned 110.3 into 110.30000305 and the box looked cut (issue 15)
    r = run_script("crop_figure", pages_pdf, "1", "110.3", "110.7", "190.1", "140.9", tmp_path / "d.png", "--json")
    assert r.returncode == 0 and r.stderr == ""
    assert json.loads(r.stdout)["bbox"] == [110.3, 110.7, 190.1, 140.9]


def test_writing_onto_a_listed_file_updates_its_entry(pages_pdf, tmp_path):
    images = tmp_path / "images"
    images.mkdir()
    (images / "fig1_result_red.png").write_bytes(b"old")
    listed = {"generator": "ai-paper-reader smart_extract", "pdf": "pages.pdf", "pages": 3, "dpi": 72,
              "figures": [{"label": "Figure 1", "kind": "figure", "number": "1", "page": 1,
                           "bbox": [90.0, 90.0, 210.0, 160.0], "file": "images/fig1_result_red.png",
                           "size_px": [120, 70], "sha256": "0" * 64}], "tables": []}
    (images / "figures.yaml").write_text(yaml.safe_dump(listed, sort_keys=False))
    data = crop(pages_pdf, 1, (100.5, 100, 200, 150.25), images / "fig1_result_red.png", "--dpi", "72", "--force")
    entry = yaml.safe_load((images / "figures.yaml").read_text())["figures"][0]
    png = (images / "fig1_result_red.png").read_bytes()
    assert entry["bbox"] == [100.5, 100, 200, 150.25] and entry["hand_fixed"] is True
    assert entry["size_px"] == [data["width"], data["height"]]
    assert entry["sha256"] == hashlib.sha256(png).hexdigest()
    assert data["label"] == "Figure 1" and data["manifest"] == str(images / "figures.yaml")
