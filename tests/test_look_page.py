"""look_page.py: a page or region rendered with rulers and a grid in PDF points, the manifest's boxes drawn, and the
text lines, rules and images listed with coordinates in the page as displayed -- on built PDFs, the sample paper and
a corpus paper; bad input is one line and exit 1."""
from __future__ import annotations

import json

import pymupdf
import pytest
import yaml
from conftest import run_script


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """p1: a title line at y~100, a full-width 0.8 pt rule at y=200 (a line), a booktabs rule at y=300 (a filled
    1 pt rectangle), a vertical rule at x=306 from 400 to 600, a 60x40 px bitmap at (100, 650, 160, 690);
    p2: the same rule at y=200 on a page rotated 90 degrees."""
    doc = pymupdf.open()
    p1 = doc.new_page(width=612, height=792)
    p1.insert_text((72, 100), "A Title Line For Looking", fontsize=14, fontname="hebo")
    p1.insert_text((72, 130), "body text at ten points", fontsize=10)
    p1.draw_line((72, 200), (540, 200), width=0.8)
    p1.draw_rect(pymupdf.Rect(72, 299.5, 540, 300.5), color=None, fill=(0, 0, 0))
    p1.draw_line((306, 400), (306, 600), width=0.5)
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 60, 40), False)
    pix.clear_with(90)
    p1.insert_image(pymupdf.Rect(100, 650, 160, 690), pixmap=pix)
    p2 = doc.new_page(width=612, height=792)
    p2.draw_line((100, 200), (300, 200), width=1)
    p2.set_rotation(90)
    folder = tmp_path_factory.mktemp("look")
    doc.save(folder / "built.pdf")
    return folder / "built.pdf"


def look(pdf, page, *extra, cwd=None) -> dict:
    r = run_script("look_page", pdf, str(page), *extra, "--json", cwd=cwd)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def pixels(png) -> pymupdf.Pixmap:
    return pymupdf.Pixmap(str(png))


def count(pix: pymupdf.Pixmap, colour: tuple[int, int, int], tol: int = 40) -> int:
    n = 0
    for y in range(0, pix.height, 2):
        for x in range(0, pix.width, 2):
            if all(abs(a - b) <= tol for a, b in zip(pix.pixel(x, y)[:3], colour, strict=True)):
                n += 1
    return n


def bluish(pix: pymupdf.Pixmap) -> int:
    """Pixels of the rulers' and grid's blue (drawn half transparent over white)."""
    n = 0
    for y in range(0, pix.height, 2):
        for x in range(0, pix.width, 2):
            r, g, b = pix.pixel(x, y)[:3]
            n += b > 150 and b - r > 40 and b - g > 20
    return n


def test_listing_of_a_built_page(built, tmp_path):
    r = look(built, 1, tmp_path / "p1.png")
    assert r["page_size_pt"] == [612, 792] and r["region"] == [0, 0, 612, 792] and r["pages"] == 2
    title = next(ln for ln in r["lines"] if ln["text"] == "A Title Line For Looking")
    assert title["size"] == 14 and title["bold"] and abs(title["bbox"][3] - 100) < 5 and title["bbox"][0] == 72
    assert next(ln for ln in r["lines"] if ln["text"] == "body text at ten points")["size"] == 10
    h = [(x["y"], x["x0"], x["x1"]) for x in r["rules"] if x["dir"] == "h"]
    assert h == [(200, 72, 540), (300, 72, 540)]
    assert next(x for x in r["rules"] if x["dir"] == "h")["width_pt"] == 0.8
    assert [(x["x"], x["y0"], x["y1"]) for x in r["rules"] if x["dir"] == "v"] == [(306, 400, 600)]
    assert [(im["bbox"], im["width_px"], im["height_px"]) for im in r["images"]] == [([100, 650, 160, 690], 60, 40)]


def test_rotated_page_gives_displayed_coordinates(built, tmp_path):
    r = look(built, 2, tmp_path / "p2.png")
    assert r["page_size_pt"] == [792, 612]
    # the rule drawn at y=200 from x=100 to 300 shows vertical on the rotated page, where crop_figure would cut it
    shown = pymupdf.Rect(100, 200, 300, 200) * pymupdf.open(built)[1].rotation_matrix
    assert [(x["dir"], x["x"], x["y0"], x["y1"]) for x in r["rules"]] == [("v", shown.x0, shown.y0, shown.y1)]


def test_picture_has_rulers_and_grid(built, tmp_path):
    plain = look(built, 1, tmp_path / "plain.png", "--dpi", "100")
    gridded = look(built, 1, tmp_path / "grid.png", "--dpi", "100", "--grid")
    assert plain["ticks_pt"] == 50 and plain["grid_pt"] is None and gridded["grid_pt"] == 10
    a, b = pixels(tmp_path / "plain.png"), pixels(tmp_path / "grid.png")
    assert (a.width, a.height) == (b.width, b.height)
    assert a.width > 612 * 100 / 72 and a.height > 792 * 100 / 72  # the page, plus the rulers' margins
    assert bluish(b) > 5 * max(1, bluish(a))  # lines across the page, not only ticks
    assert a.xres == 100


def test_clip_region(built, tmp_path):
    r = look(built, 1, tmp_path / "c.png", "--clip", "60", "180.5", "560", "320", "--dpi", "200")
    assert r["region"] == [60, 180.5, 560, 320]
    assert [x["y"] for x in r["rules"]] == [200, 300]  # the vertical rule lies below the region
    assert r["lines"] == [] and r["images"] == []
    pix = pixels(tmp_path / "c.png")
    assert 500 * 200 / 72 < pix.width < 500 * 200 / 72 + 120 and r["ticks_pt"] == 25


def test_default_output_and_overwriting(built, tmp_path):
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(built.read_bytes())
    r = look(pdf, 1)
    assert r["png"] == str(tmp_path / "look_p1.png") and (tmp_path / "look_p1.png").is_file()
    assert look(pdf, 1, "--clip", "0", "0", "300", "300")["png"] == str(tmp_path / "look_p1_0-0-300-300.png")
    look(pdf, 1)  # its own file: replaced without --force
    mine = tmp_path / "mine.png"
    mine.write_bytes(b"the user's picture")
    r = run_script("look_page", pdf, "1", mine)
    assert r.returncode == 3 and "--force" in r.stderr and mine.read_bytes() == b"the user's picture"
    look(pdf, 1, mine, "--force")
    assert mine.read_bytes().startswith(b"\x89PNG")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files left


@pytest.mark.parametrize("args, words", [
    (("1", "--clip", "700", "800", "900", "900"), "outside page 1"),
    (("1", "--clip", "300", "10", "100", "100"), "X1 must exceed X0"),
    (("3",), "out of range"),
    (("0",), "out of range"),
])
def test_bad_input_is_one_line(built, tmp_path, args, words):
    r = run_script("look_page", built, *args[:1], tmp_path / "x.png", *args[1:])
    assert r.returncode == 1 and words in r.stderr, r.stderr
    assert r.stderr.startswith("look_page.py: error: ") and len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.png").exists()


def test_not_a_pdf(tmp_path):
    bad = tmp_path / "paper.pdf"
    bad.write_text("<html>not found</html>")
    r = run_script("look_page", bad, "1")
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and "not a PDF" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["paper.pdf"]


def test_clip_past_the_page_is_cut_with_a_note(built, tmp_path):
    r = run_script("look_page", built, "1", tmp_path / "x.png", "--clip", "500", "700", "700", "900", "--json")
    assert r.returncode == 0 and "cut to (500, 700, 612, 792)" in r.stderr
    assert json.loads(r.stdout)["region"] == [500, 700, 612, 792]


def test_help_has_examples():
    r = run_script("look_page", "--help")
    assert r.returncode == 0 and "examples:" in r.stdout and "--clip X0 Y0 X1 Y1" in r.stdout
    assert "python3 scripts/look_page.py" in r.stdout


# -- in a note folder: the manifest's boxes -------------------------------------------------------------------------

@pytest.fixture
def sample_note(prepared_sample):
    return prepared_sample  # read only: the tests copy what they change


def test_sample_paper_boxes_are_drawn_and_listed(sample_note, tmp_path):
    manifest = yaml.safe_load((sample_note / "images" / "figures.yaml").read_text())
    t = manifest["tables"][0]
    r = look(sample_note / "paper.pdf", t["page"], tmp_path / "t.png", "--grid")
    boxes = {b["label"]: b for b in r["boxes"]}
    assert boxes["Table 1"]["bbox"] == t["bbox"] and boxes["Table 1"]["file"] == t["file"]
    listed = [e for key in ("figures", "tables", "equations") for e in manifest.get(key, [])
              if e["page"] == t["page"]]
    assert sorted(boxes) == sorted(e["label"] for e in listed)
    x0, y0, x1, y1 = t["bbox"]  # the table's rules, read off the page, lie inside its box
    inside = [x for x in r["rules"]
              if x["dir"] == "h" and y0 <= x["y"] <= y1 and x0 - 1 <= x["x0"] and x["x1"] <= x1 + 1]
    assert len(inside) >= 3
    pix = pixels(tmp_path / "t.png")
    assert count(pix, (0, 153, 64), tol=30) > 50  # the table's green outline


def test_hand_fixed_box_is_marked(sample_note, tmp_path):
    t = yaml.safe_load((sample_note / "images" / "figures.yaml").read_text())["tables"][0]
    note = tmp_path / "note"
    (note / "images").mkdir(parents=True)
    (note / "paper.pdf").write_bytes((sample_note / "paper.pdf").read_bytes())
    (note / "images" / "figures.yaml").write_text((sample_note / "images" / "figures.yaml").read_text())
    (note / t["file"]).write_bytes((sample_note / t["file"]).read_bytes())
    box = [t["bbox"][0] - 5, t["bbox"][1] - 5, t["bbox"][2] + 5, t["bbox"][3] + 5]
    r = run_script("crop_figure", note / "paper.pdf", str(t["page"]), *map(str, box), note / t["file"], "--force")
    assert r.returncode == 0, r.stderr
    r = look(note / "paper.pdf", t["page"])
    b = next(b for b in r["boxes"] if b["label"] == "Table 1")
    assert b["hand_fixed"] and b["bbox"] == box
    assert count(pixels(note / f"look_p{t['page']}.png"), (217, 0, 140), tol=30) > 50  # magenta, not green


def test_damaged_manifest_still_looks(sample_note, tmp_path):
    note = tmp_path / "note"
    (note / "images").mkdir(parents=True)
    (note / "paper.pdf").write_bytes((sample_note / "paper.pdf").read_bytes())
    (note / "images" / "figures.yaml").write_text("figures: [\n")
    r = run_script("look_page", note / "paper.pdf", "2", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["boxes"] == []
    assert len(r.stderr.strip().splitlines()) == 1 and "no boxes are drawn" in r.stderr
    assert (note / "images" / "figures.yaml").read_text() == "figures: [\n"


def test_corpus_table_rules(corpus, tmp_path):
    """attention.pdf p8, Table 2: its booktabs rules come out at the heights where crop_figure would cut."""
    r = look(corpus / "pdfs" / "attention.pdf", 8, tmp_path / "p8.png", "--grid")
    h = [x for x in r["rules"] if x["dir"] == "h" and x["x1"] - x["x0"] > 300]
    assert len(h) >= 3 and all(60 < x["y"] < 400 for x in h[:3])
    assert any(ln["text"].startswith("Table 2") for ln in r["lines"])
