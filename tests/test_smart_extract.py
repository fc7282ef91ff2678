"""smart_extract.py: every captioned figure and table, whole, numbered and named by rule -- on the sample paper and on
the real papers of ../shared/corpus."""
from __future__ import annotations

import json
import re

import pymupdf
import pytest
import yaml
from conftest import CORPUS_GT, ROOT, SAMPLE_PDF, corpus_pdfs, run_script
from paperkit.figures.naming import is_rule_name

TRUTH = ROOT / "tests" / "data" / "sample-paper-truth.json"
ITEM_KEYS = {"label", "kind", "number", "page", "bbox", "caption", "type", "file", "size_px", "sha256"}


def iou(a: list[float], b: list[float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0


def extract(pdf, out, *extra) -> dict:
    r = run_script("smart_extract", pdf, out, "--quiet", *extra)
    assert r.returncode == 0, r.stderr
    return yaml.safe_load((out / "images" / "figures.yaml").read_text(encoding="utf-8"))


def items(manifest: dict) -> list[dict]:
    return manifest["figures"] + manifest["tables"]


# -- the sample paper: the exact answer is known -------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    if not TRUTH.exists():
        pytest.fail("tests/data/sample-paper-truth.json is missing: run python tests/make_sample_paper.py")
    out = tmp_path_factory.mktemp("sample")
    return out, extract(SAMPLE_PDF, out), json.loads(TRUTH.read_text(encoding="utf-8"))


def test_sample_paper_every_figure_and_table_exactly(sample_run):
    out, manifest, truth = sample_run
    got = {(i["kind"], i["number"]): i for i in items(manifest)}
    want = {(t["kind"], t["number"]): t for t in truth["items"]}
    assert set(got) == set(want)
    for key, t in want.items():
        g = got[key]
        assert g["page"] == t["page"], key
        assert g["label"] == t["label"]
        # the body, whole and nothing else: within the 2 pt white margin of the true box
        for v_got, v_true, sign in zip(g["bbox"], t["bbox"], (-1, -1, 1, 1), strict=True):
            assert 0 <= sign * (v_got - v_true) <= 2.5, (key, g["bbox"], t["bbox"])
        assert g["caption"].split()[:4] == t["caption"].split()[:4]
        assert (out / g["file"]).is_file()


def test_sample_paper_files_named_by_rule(sample_run):
    out, manifest, _ = sample_run
    for i in items(manifest):
        name = i["file"].removeprefix("images/")
        assert is_rule_name(name), name
        prefix = "tab" if i["kind"] == "table" else "fig"
        assert name.startswith(f"{prefix}{i['number']}_"), name
        assert set(i) == ITEM_KEYS
        pix = pymupdf.Pixmap(str(out / i["file"]))
        assert [pix.width, pix.height] == i["size_px"]
    shown = items(manifest) + manifest["equations"] + manifest.get("algorithms", [])  # eq{N}.png, alg{N}.png
    assert sorted(p.name for p in (out / "images").iterdir()) == sorted(
        [i["file"].removeprefix("images/") for i in shown] + ["figures.yaml"])


def test_sample_paper_in_text_mention_is_not_a_caption(sample_run):
    _, manifest, truth = sample_run
    assert len(items(manifest)) == len(truth["items"])
    for i in items(manifest):
        assert re.match(r"(Figure|Table) \d+:", i["caption"]), i["caption"]


def test_rerun_is_idempotent_and_byte_identical(sample_run, tmp_path):
    first = extract(SAMPLE_PDF, tmp_path)
    before = {p.name: p.read_bytes() for p in (tmp_path / "images").iterdir()}
    second = extract(SAMPLE_PDF, tmp_path)
    after = {p.name: p.read_bytes() for p in (tmp_path / "images").iterdir()}
    assert first == second
    assert before == after


def test_json_output_is_the_manifest(tmp_path):
    r = run_script("smart_extract", SAMPLE_PDF, tmp_path, "--json", "--quiet")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == yaml.safe_load((tmp_path / "images" / "figures.yaml").read_text())


def test_foreign_file_is_not_overwritten_without_force(sample_run, tmp_path):
    _, manifest, _ = sample_run
    images = tmp_path / "images"
    images.mkdir()
    mine = images / manifest["figures"][0]["file"].removeprefix("images/")
    mine.write_bytes(b"the user's own picture")
    r = run_script("smart_extract", SAMPLE_PDF, tmp_path, "--quiet")
    assert r.returncode == 3
    assert len(r.stderr.strip().splitlines()) == 1 and "--force" in r.stderr
    assert mine.read_bytes() == b"the user's own picture"
    assert sorted(p.name for p in images.iterdir()) == [mine.name]  # nothing half-written left behind
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    r = run_script("smart_extract", SAMPLE_PDF, tmp_path, "--quiet", "--force")
    assert r.returncode == 0, r.stderr
    assert mine.read_bytes().startswith(b"\x89PNG")


def test_foreign_manifest_is_not_replaced(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "figures.yaml").write_text("my: notes\n")
    r = run_script("smart_extract", SAMPLE_PDF, tmp_path, "--quiet")
    assert r.returncode == 3 and "figures.yaml" in r.stderr
    assert (tmp_path / "images" / "figures.yaml").read_text() == "my: notes\n"


def test_include_uncaptioned_names_extras_apart(tmp_path):
    data = extract(SAMPLE_PDF, tmp_path, "--include-uncaptioned")
    for e in data.get("uncaptioned", []):
        assert re.fullmatch(r"images/extra_p\d+_\d+\.png", e["file"])
        assert (tmp_path / e["file"]).is_file()


def test_not_a_pdf_is_one_line_error(tmp_path):
    bad = tmp_path / "notes.pdf"
    bad.write_text("just some text, not a PDF\n")
    r = run_script("smart_extract", bad, tmp_path / "out")
    assert r.returncode == 1
    assert len(r.stderr.strip().splitlines()) == 1 and "not a PDF" in r.stderr
    assert not (tmp_path / "out").exists()


def test_help_shows_examples():
    r = run_script("smart_extract", "--help")
    assert r.returncode == 0 and "examples:" in r.stdout and "--include-uncaptioned" in r.stdout


# -- the real papers -------------------------------------------------------------------------------------------------

KNOWN = [  # (paper, label, page): a few figures users judge first -- hard cases among them
    ("attention", "Figure 1", 3),  # a tall raster diagram
    ("attention", "Table 3", 9),  # two tables on a page
    ("deepfm", "Figure 2", 2),  # bold paragraph title above the figure, reader's highlights on the page
    ("xdeepfm", "Figure 4", 4),  # three panels with three-line sub-captions
    ("bert_a", "Table 4", 7),  # captions below tables, three tables on one page
    ("sasrec", "Table IV", 8),  # Roman numbering: Table IV
    ("bert4rec", "Figure 2", 7),  # a column figure under a full-width table
    ("gpt2", "Table 17", 24),  # a bordered text table under a running-header rule
    ("autoint", "Figure 4", 7),  # caption in the same text block as its sub-captions
]


@pytest.mark.corpus
@pytest.mark.parametrize(("paper", "label", "page"), KNOWN)
def test_known_corpus_figures(corpus, tmp_path, paper, label, page):
    gt = json.loads((CORPUS_GT / f"{paper}.json").read_text())
    truth = next(g for g in gt["items"] if g["name"] == label)
    data = extract(corpus / "pdfs" / f"{paper}.pdf", tmp_path)
    kind, number = ("table" if label.startswith("Table") else "figure"), _arabic(label.split()[1])
    got = [i for i in items(data) if i["kind"] == kind and _arabic(i["number"]) == number]
    assert len(got) == 1, [i["label"] for i in items(data)]
    assert got[0]["page"] == page
    assert iou(got[0]["bbox"], truth["bbox"]) >= 0.85, (got[0]["bbox"], truth["bbox"])


def _arabic(number: str) -> str:
    from paperkit.figures.naming import number_for_filename

    return number_for_filename(number)


@pytest.mark.corpus
@pytest.mark.parametrize("pdf", corpus_pdfs(), ids=lambda p: p.stem)
def test_every_corpus_paper_extracts_by_rule(pdf, tmp_path):
    data = extract(pdf, tmp_path)
    gt = json.loads((CORPUS_GT / f"{pdf.stem}.json").read_text())
    assert len(items(data)) == len(gt["items"])
    for i in items(data):
        assert set(i) == ITEM_KEYS
        assert is_rule_name(i["file"].removeprefix("images/")), i["file"]
        assert (tmp_path / i["file"]).is_file()
        assert i["caption"].startswith(("Fig", "FIG", "Tab", "TAB"))


def test_rotated_pages_give_page_coordinates_and_crops_as_displayed(sample_run, tmp_path):
    _, manifest, _ = sample_run
    rotated = tmp_path / "rotated.pdf"
    with pymupdf.open(SAMPLE_PDF) as doc:
        for page in doc:
            page.set_rotation(90)
        doc.save(rotated)
        matrices = [page.rotation_matrix for page in doc]
    data = extract(rotated, tmp_path / "r")
    assert len(items(data)) == len(items(manifest))
    turned = {i["label"]: i for i in items(data)}
    for a in items(manifest):
        b = turned[a["label"]]
        want = pymupdf.Rect(a["bbox"]) * matrices[a["page"] - 1]
        assert iou(list(want), b["bbox"]) > 0.98, (a["label"], want, b["bbox"])
        assert b["size_px"] == a["size_px"][::-1]  # the page turned, so the crop did too
