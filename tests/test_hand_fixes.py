"""Hand fixes survive re-runs: a crop re-cut with crop_figure.py, an image changed by hand, a paper.yaml field, a
tables/tabN.md or paper.md edited by hand are kept by smart_extract.py, prepare_paper.py and paper_info.py (said in
one line), recorded in the manifest, and replaced only with --force; a damaged manifest or paper.yaml is a one-line
error that loses nothing."""
from __future__ import annotations

import hashlib
import json
import shutil

import pymupdf
import pytest
import yaml
from conftest import SAMPLE_PDF, run_script
from paperkit.facts import record


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load(path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def entry(manifest: dict, name: str) -> dict:
    return next(e for key in ("figures", "tables") for e in manifest[key] if e["file"].endswith("/" + name))


@pytest.fixture
def prepared(prepared_sample):
    """The sample paper prepared once; each test works on a copy of the note folder."""
    return prepared_sample


@pytest.fixture
def note(prepared, tmp_path):
    folder = tmp_path / "paper-notes" / "gaterec"
    shutil.copytree(prepared, folder)
    return folder


def table1(folder) -> tuple[dict, str]:
    m = load(folder / "images" / "figures.yaml")
    t = m["tables"][0]
    assert t["label"] == "Table 1"
    return t, t["file"].removeprefix("images/")


def test_manifest_records_each_files_hash(note):
    m = load(note / "images" / "figures.yaml")
    listed = m["figures"] + m["tables"] + m.get("equations", [])
    assert listed and all(e["sha256"] == sha(note / e["file"]) for e in listed)
    assert not any(e.get("hand_fixed") for e in listed)


def test_recrop_is_recorded_and_kept_by_every_rerun(note, tmp_path):
    t, name = table1(note)
    png = note / "images" / name
    tool_bytes = png.read_bytes()
    box = [t["bbox"][0] - 10.5, t["bbox"][1] - 20.25, t["bbox"][2] + 4.75, t["bbox"][3] + 8.5]  # decimals, inside
    r = run_script("crop_figure", note / "paper.pdf", str(t["page"]), *map(str, box), png, "--force")
    assert r.returncode == 0, r.stderr
    assert "reaches past" not in r.stderr  # the false note of issue 15
    assert "recorded in" in r.stderr and "Table 1" in r.stderr
    mine = png.read_bytes()
    assert mine != tool_bytes
    e = entry(load(note / "images" / "figures.yaml"), name)
    assert e["hand_fixed"] is True and e["bbox"] == [round(v, 2) for v in box] and e["page"] == t["page"]
    assert e["sha256"] == sha(png) and e["size_px"] == list(pymupdf.Pixmap(str(png)).irect[2:])

    r = run_script("smart_extract", note / "paper.pdf")
    assert r.returncode == 0, r.stderr
    kept = [ln for ln in r.stderr.splitlines() if "kept" in ln]
    assert len(kept) == 1 and name in kept[0] and "--force" in kept[0]
    assert png.read_bytes() == mine
    after = entry(load(note / "images" / "figures.yaml"), name)
    assert {k: after[k] for k in ("bbox", "size_px", "sha256", "hand_fixed", "page")} == \
           {k: e[k] for k in ("bbox", "size_px", "sha256", "hand_fixed", "page")}
    assert after["caption"] == t["caption"]  # the rest of the entry is the tool's, as before

    r = run_script("prepare_paper", SAMPLE_PDF, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert sum("kept 1 image(s) changed by hand" in ln for ln in r.stderr.splitlines()) == 1
    assert png.read_bytes() == mine and entry(load(note / "images" / "figures.yaml"), name)["hand_fixed"] is True

    r = run_script("smart_extract", note / "paper.pdf", "--force")  # --force: the tool's crop again
    assert r.returncode == 0, r.stderr
    assert png.read_bytes() == tool_bytes
    back = entry(load(note / "images" / "figures.yaml"), name)
    assert "hand_fixed" not in back and back["bbox"] == t["bbox"] and back["sha256"] == sha(png)


def test_image_changed_outside_the_tools_is_kept(note):
    _, name = table1(note)
    png = note / "images" / name
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 40, 30), False)
    pix.clear_with(200)
    png.write_bytes(pix.tobytes("png"))  # the user pasted a cleaned-up picture over it
    mine = png.read_bytes()
    fig = note / "images" / load(note / "images" / "figures.yaml")["figures"][0]["file"].removeprefix("images/")
    fig.unlink()  # a deleted file is the tool's to write again
    r = run_script("smart_extract", note / "paper.pdf")
    assert r.returncode == 0, r.stderr
    assert png.read_bytes() == mine and fig.is_file()
    e = entry(load(note / "images" / "figures.yaml"), name)
    assert e["hand_fixed"] is True and e["size_px"] == [40, 30] and e["sha256"] == sha(png)


def test_damaged_manifest_is_one_line_and_loses_nothing(note):
    images = note / "images"
    manifest = images / "figures.yaml"
    manifest.write_text(manifest.read_text() + "tables: [oops\n")  # a hand edit gone wrong
    before = {p.name: p.read_bytes() for p in images.iterdir()}
    r = run_script("smart_extract", note / "paper.pdf")
    assert r.returncode == 3 and len(r.stderr.strip().splitlines()) == 1
    assert "not valid YAML" in r.stderr and "--force" in r.stderr and "Traceback" not in r.stderr
    assert {p.name: p.read_bytes() for p in images.iterdir()} == before
    r = run_script("prepare_paper", SAMPLE_PDF, cwd=note.parent.parent)
    assert r.returncode == 3 and "not valid YAML" in r.stderr.strip().splitlines()[-1]
    assert {p.name: p.read_bytes() for p in images.iterdir()} == before
    r = run_script("smart_extract", note / "paper.pdf", "--force", "--quiet")
    assert r.returncode == 0, r.stderr
    assert load(manifest)["tables"][0]["label"] == "Table 1"


def test_manifest_with_wrong_types_is_read_safely(note):
    images = note / "images"
    manifest = images / "figures.yaml"
    data = load(manifest)
    _, name = table1(note)
    for e in data["tables"]:
        if e["file"].endswith(name):
            e["sha256"] = 12345  # not a hash: the file cannot be checked, so it is kept
    data["figures"][0] = "a stray string"
    data["uncaptioned"] = "not a list"
    manifest.write_text(yaml.safe_dump(data, sort_keys=False))
    png = images / name
    mine = png.read_bytes()
    first_figure = sorted(images.glob("fig1_*.png"))[0]
    first_figure.unlink()  # its entry is gone from the manifest: the name is free again
    r = run_script("smart_extract", note / "paper.pdf")
    assert r.returncode == 0, r.stderr
    assert png.read_bytes() == mine and "kept 1 image(s)" in r.stderr
    assert entry(load(manifest), name)["hand_fixed"] is True


def test_manifest_entry_lost_by_hand_makes_its_file_the_users(note):
    images = note / "images"
    manifest = images / "figures.yaml"
    data = load(manifest)
    lost = data["figures"].pop(0)  # the user deleted an entry: its file is no longer known to be the tool's
    manifest.write_text(yaml.safe_dump(data, sort_keys=False))
    before = (note / lost["file"]).read_bytes()
    r = run_script("smart_extract", note / "paper.pdf")
    assert r.returncode == 3 and len(r.stderr.strip().splitlines()) == 1 and "--force" in r.stderr
    assert (note / lost["file"]).read_bytes() == before and load(manifest) == data


def test_paper_yaml_edits_are_kept(note, tmp_path):
    path = note / "paper.yaml"
    info = load(path)
    assert set(info["generated_sha256"]) >= {"title", "authors", "venue"}
    text = path.read_text()
    text = text.replace(f"title: '{info['title']}'", "title: 'GateRec (title fixed by hand)'", 1)
    assert "title fixed by hand" in text
    path.write_text(text + "my_reading: second pass\n")
    r = run_script("paper_info", note / "paper.pdf")
    assert r.returncode == 0, r.stderr
    kept = [ln for ln in r.stderr.splitlines() if "kept your edits" in ln]
    assert len(kept) == 1 and "title" in kept[0] and "my_reading" in kept[0] and "authors" not in kept[0]
    again = load(path)
    assert again["title"] == "GateRec (title fixed by hand)" and again["my_reading"] == "second pass"
    assert again["authors"] == info["authors"]

    r = run_script("prepare_paper", SAMPLE_PDF, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert load(path)["title"] == "GateRec (title fixed by hand)"
    assert any("kept your edits" in ln and "title" in ln for ln in r.stderr.splitlines())

    r = run_script("paper_info", note / "paper.pdf", "--force", "--quiet")
    assert r.returncode == 0, r.stderr
    assert load(path)["title"] == info["title"] and "my_reading" not in load(path)


def test_table_and_text_edits_are_kept(note, tmp_path):
    tab = sorted((note / "tables").glob("tab*.md"))[0]
    md = note / "paper.md"
    tool_tab, tool_md = tab.read_text(encoding="utf-8"), md.read_text(encoding="utf-8")
    assert not record.edited_by_hand(tab) and not record.edited_by_hand(md)
    tab.write_text(tool_tab + "\n(one cell fixed by hand against the PNG)\n", encoding="utf-8")
    md.write_text(tool_md.replace("<!-- page 1 -->", "<!-- page 1 -->\n\n(a paragraph fixed by hand)", 1),
                  encoding="utf-8")
    fixed_tab, fixed_md = tab.read_text(encoding="utf-8"), md.read_text(encoding="utf-8")
    assert record.edited_by_hand(tab) and record.edited_by_hand(md)

    r = run_script("paper_info", note / "paper.pdf", "--json")
    assert r.returncode == 0, r.stderr
    kept = [ln for ln in r.stderr.splitlines() if "kept your edits" in ln]
    assert len(kept) == 1 and f"tables/{tab.name}" in kept[0] and "paper.md" in kept[0], r.stderr
    assert tab.read_text(encoding="utf-8") == fixed_tab and md.read_text(encoding="utf-8") == fixed_md
    assert set(json.loads(r.stdout)["kept_edits"]) == {str(tab), str(md)}

    r = run_script("prepare_paper", SAMPLE_PDF, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert tab.read_text(encoding="utf-8") == fixed_tab and md.read_text(encoding="utf-8") == fixed_md
    assert any("kept your edits" in ln and tab.name in ln for ln in r.stderr.splitlines())

    r = run_script("paper_info", note / "paper.pdf", "--force", "--quiet")
    assert r.returncode == 0, r.stderr
    assert tab.read_text(encoding="utf-8") == tool_tab and md.read_text(encoding="utf-8") == tool_md


def test_unedited_table_and_text_files_follow_the_tool(note):
    tabs = {f: f.read_bytes() for f in (note / "tables").glob("tab*.md")}
    stale = note / "tables" / "tab99.md"  # a table of ours the paper no longer has: removed
    stale_edited = note / "tables" / "tab98.md"  # the same, edited by hand: kept
    first = next(iter(tabs)).read_text(encoding="utf-8")
    stale.write_text(first, encoding="utf-8")
    stale_edited.write_text(first + "\nmy note\n", encoding="utf-8")
    old_format = note / "tables" / "tab97.md"  # written before the hash was recorded: the tool's
    old_format.write_text("<!-- written by paper_info.py: Table 97, page 1, cells read from the PDF -->\n\nold\n",
                          encoding="utf-8")
    assert not record.edited_by_hand(old_format)
    md = (note / "paper.md").read_bytes()
    r = run_script("paper_info", note / "paper.pdf")
    assert r.returncode == 0, r.stderr
    assert {f: f.read_bytes() for f in tabs} == tabs and (note / "paper.md").read_bytes() == md
    assert not stale.exists() and not old_format.exists()
    assert stale_edited.read_text(encoding="utf-8").endswith("my note\n")
    kept = [ln for ln in r.stderr.splitlines() if "kept your edits" in ln]
    assert len(kept) == 1 and "tab98.md" in kept[0] and "paper.md" not in kept[0]


def test_paper_yaml_unchanged_fields_follow_the_tool(note):
    path = note / "paper.yaml"
    data = load(path)
    data["words"] = 1  # an old value the tool wrote: recorded as such, so the new one replaces it
    data["generated_sha256"]["words"] = record._digest(1)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    r = run_script("paper_info", note / "paper.pdf")
    assert r.returncode == 0, r.stderr
    assert load(path)["words"] > 1 and "kept your edits" not in r.stderr


@pytest.mark.parametrize("damage, words", [
    ("title: [unclosed\n", "not valid YAML"),
    ("generated_sha256: broken\n", "record is damaged"),
])
def test_damaged_paper_yaml_is_one_line(note, damage, words):
    path = note / "paper.yaml"
    text = path.read_text()
    text = text[:text.index("generated_sha256:")] + damage if "generated" in damage else text + damage
    path.write_text(text)
    before = {p: p.read_bytes() for p in note.rglob("*") if p.is_file()}
    r = run_script("paper_info", note / "paper.pdf")
    assert r.returncode == 3 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert words in r.stderr and "--force" in r.stderr and "Traceback" not in r.stderr
    assert {p: p.read_bytes() for p in note.rglob("*") if p.is_file()} == before


def test_crop_past_the_page_still_says_so(note):
    r = run_script("crop_figure", note / "paper.pdf", "1", "500.5", "700.25", "700", "900", note / "edge.png")
    assert r.returncode == 0, r.stderr
    assert "reaches past page 1" in r.stderr and "cut to (500.5, 700.25, 612, 792)" in r.stderr


def test_crop_outside_a_note_touches_no_manifest(note, tmp_path):
    out = tmp_path / "loose" / "crop.png"
    r = run_script("crop_figure", note / "paper.pdf", "2", "100.3", "100.7", "300", "200", out)
    assert r.returncode == 0 and "recorded" not in r.stderr and "reaches past" not in r.stderr
    assert sorted(p.name for p in out.parent.iterdir()) == ["crop.png"]


def test_crop_into_a_damaged_manifest_folder_warns_and_keeps_it(note):
    manifest = note / "images" / "figures.yaml"
    manifest.write_text("figures: [\n")
    _, name = table1_from_names(note)
    r = run_script("crop_figure", note / "paper.pdf", "2", "100", "100", "300", "200", note / "images" / name,
                   "--force")
    assert r.returncode == 0 and "not recorded" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert manifest.read_text() == "figures: [\n"


def table1_from_names(folder) -> tuple[None, str]:
    return None, sorted(p.name for p in (folder / "images").glob("tab1_*.png"))[0]


def test_corpus_paper_loop(corpus, tmp_path):
    """The judged loop on a real paper: prepare, re-crop a table by hand, re-run both, the crop and box stay."""
    r = run_script("prepare_paper", corpus / "pdfs" / "attention.pdf", "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    folder = tmp_path / "paper-notes" / sorted(p.name for p in (tmp_path / "paper-notes").iterdir())[0]
    t = load(folder / "images" / "figures.yaml")["tables"][0]
    png = folder / t["file"]
    box = [t["bbox"][0] - 3.3, t["bbox"][1] - 3.3, t["bbox"][2] + 3.3, t["bbox"][3] + 3.3]
    r = run_script("crop_figure", folder / "paper.pdf", str(t["page"]), *map(str, box), png, "--force")
    assert r.returncode == 0 and "reaches past" not in r.stderr
    mine = png.read_bytes()
    for name, args in (("smart_extract", (folder / "paper.pdf",)),
                       ("prepare_paper", (corpus / "pdfs" / "attention.pdf",))):
        r = run_script(name, *args, cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        assert png.read_bytes() == mine
    e = load(folder / "images" / "figures.yaml")["tables"][0]
    assert e["hand_fixed"] is True and e["bbox"] == [round(v, 2) for v in box]
