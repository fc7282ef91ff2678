"""prepare_paper.py: the README's main job -- a PDF to a note folder ready for writing, in one command."""
from __future__ import annotations

import json

import yaml
from conftest import SAMPLE_PDF, run_script


def test_sample_paper_to_note_folder(tmp_path):
    r = run_script("prepare_paper", SAMPLE_PDF, "--json", "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    folder = tmp_path / out["folder"]
    assert folder == tmp_path / "paper-notes" / "gaterec"
    assert out["title"] == "GateRec: Gated Residual Attention for Sequential Recommendation"
    assert out["authors"] == ["Lina Park", "Tomas Ortega", "Wei Zhang"]
    manifest = yaml.safe_load((folder / "images" / "figures.yaml").read_text())
    assert (out["figures"], out["tables"]) == (len(manifest["figures"]), len(manifest["tables"])) == (4, 2)
    for item in manifest["figures"] + manifest["tables"]:
        assert (folder / item["file"]).is_file()
    readme = (folder / "README.md").read_text()
    assert readme.startswith("# GateRec") and "Lina Park" in readme
    assert yaml.safe_load((folder / "paper.yaml").read_text())["title"] == out["title"]
    assert "<!-- page 1 -->" in (folder / "paper.md").read_text()
    assert (folder / "paper.pdf").read_bytes() == SAMPLE_PDF.read_bytes()


def test_rerun_keeps_the_written_note(tmp_path):
    assert run_script("prepare_paper", SAMPLE_PDF, "--quiet", cwd=tmp_path).returncode == 0
    readme = tmp_path / "paper-notes" / "gaterec" / "README.md"
    readme.write_text("# My note\n\nHalf written.\n")
    r = run_script("prepare_paper", SAMPLE_PDF, "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert readme.read_text() == "# My note\n\nHalf written.\n"


def test_bad_source_is_one_line(tmp_path):
    bad = tmp_path / "paper.pdf"
    bad.write_text("<html>not found</html>")
    r = run_script("prepare_paper", bad, cwd=tmp_path)
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and "HTML" in r.stderr
    assert not (tmp_path / "paper-notes").exists()
    r = run_script("prepare_paper", tmp_path / "missing.pdf", cwd=tmp_path)
    assert r.returncode == 1 and "no such file" in r.stderr
