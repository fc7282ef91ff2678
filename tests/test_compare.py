"""prepare_paper.py A B --mode compare: two papers to one comparison folder, and every way the pair can be wrong.

Papers are built here with PyMuPDF (tests/hostile.py) or taken from the corpus (skipped when absent). Downloads come
from a http.server on 127.0.0.1 that the arXiv addresses are pointed at (AIPR_* variables); no test uses the
internet.
"""
from __future__ import annotations

import http.server
import json
import tempfile
import threading
from pathlib import Path

import pymupdf
import pytest
import yaml
from conftest import ROOT
from hostile import call, html_as_pdf, paper, paper_bytes, scanned, snapshot
from paperkit.jobs import pair_name
from paperkit.note.notecheck import check_note, template_spec

TITLE_A = "Gated Memory for Long Sequence Models"
TITLE_B = "Sparse Experts at Scale"
NAME = "gated-memory-for-long-vs-sparse-experts-at-scale"  # pair_name of the two titles


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    return (paper(tmp_path / "in" / "a.pdf", title=TITLE_A),
            paper(tmp_path / "in" / "b.pdf", title=TITLE_B, pages=3))


def prepare(*args: object) -> tuple[int, str, str]:
    r = call("prepare_paper", *args, "--quiet")
    return r.code, r.out, r.err


def one_error(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("prepare_paper.py: error: "), err
    return lines[0]


def tree(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


# ---------------------------------------------------------------------------------------------------------------
# the folder


def test_pair_name_fits_and_reads_as_a_pair():
    assert pair_name(TITLE_A, TITLE_B) == NAME
    name = pair_name("BERT4Rec: Sequential Recommendation with Bidirectional Encoder Representations from "
                     "Transformer", "Self-Attentive Sequential Recommendation")
    assert name == "bert4rec-vs-self-attentive"
    assert pair_name("Attention Is All You Need", "An Image is Worth 16x16 Words: Transformers for Image "
                     "Recognition at Scale") == "attention-is-all-you-vs-image-is-worth-16x16"
    assert pair_name("Wide & Deep Learning for Recommender Systems", "Language Models are Unsupervised Multitask "
                     "Learners") == "wide-deep-learning-vs-language-models"  # no 'for' or 'are' at the end
    assert len(pair_name("a " * 40 + "long title", "another very long title " * 5)) <= 50


def test_two_pdfs_make_one_folder_with_b_inside(pair, tmp_path):
    code, out, err = prepare(*pair, "--root", tmp_path / "notes", "--mode", "compare")
    assert code == 0, err
    folder = tmp_path / "notes" / NAME
    assert f"note folder: {folder}" in out and "paper B:  Sparse Experts at Scale" in out
    assert [p.name for p in (tmp_path / "notes").iterdir()] == [NAME]  # one folder, nothing beside it
    files = tree(folder)
    for want in ("README.md", "paper.pdf", "paper.yaml", "paper.md", "images/figures.yaml",
                 "b/paper.pdf", "b/paper.yaml", "b/paper.md", "images/b/figures.yaml"):
        assert want in files, want
    assert [f for f in files if f.endswith("README.md")] == ["README.md"]  # no second README
    assert (folder / "paper.pdf").read_bytes() == pair[0].read_bytes()
    assert (folder / "b" / "paper.pdf").read_bytes() == pair[1].read_bytes()

    # B's figures in images/b/, listed with paths relative to the note folder, as A's are
    a_manifest = yaml.safe_load((folder / "images" / "figures.yaml").read_text(encoding="utf-8"))
    b_manifest = yaml.safe_load((folder / "images" / "b" / "figures.yaml").read_text(encoding="utf-8"))
    assert [f["file"].split("/")[:1] for f in a_manifest["figures"]] == [["images"]] * 2
    assert len(b_manifest["figures"]) == 3
    for f in b_manifest["figures"]:
        assert f["file"].startswith("images/b/fig") and (folder / f["file"]).is_file()
    assert sorted(p.name for p in (folder / "images" / "b").glob("fig*.png")) == \
        sorted(Path(f["file"]).name for f in b_manifest["figures"])

    b_yaml = yaml.safe_load((folder / "b" / "paper.yaml").read_text(encoding="utf-8"))
    assert b_yaml["title"] == TITLE_B and b_yaml["pages"] == 3
    assert [f["file"] for f in b_yaml["figures"]] == [f["file"] for f in b_manifest["figures"]]
    assert yaml.safe_load((folder / "paper.yaml").read_text(encoding="utf-8"))["title"] == TITLE_A

    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert readme.startswith(f"# {TITLE_A} vs. {TITLE_B}\n")
    assert f"- **Paper B:** {TITLE_B} ([PDF](b/paper.pdf)" in readme
    assert f"- **Authors B:** {', '.join(b_yaml['authors'])}\n" in readme  # as b/paper.yaml has them
    assert "{{title_b}}" not in readme and "{{authors_b}}" not in readme and "{{pdf_link_b}}" not in readme


def test_two_sources_imply_compare_and_zh_gets_the_chinese_template(pair, tmp_path):
    code, _, err = prepare(*pair, "--root", tmp_path, "--lang", "zh", "--name", "ab")
    assert code == 0, err
    readme = (tmp_path / "ab" / "README.md").read_text(encoding="utf-8")
    assert readme.startswith(f"# {TITLE_A} 对比 {TITLE_B}\n") and "（[PDF](b/paper.pdf)" in readme


def test_rerun_changes_nothing_and_keeps_the_written_note(pair, tmp_path):
    assert prepare(*pair, "--root", tmp_path)[0] == 0
    folder = tmp_path / NAME
    readme = folder / "README.md"
    readme.write_text("# My comparison\n\nHalf written.\n", encoding="utf-8")
    before = snapshot(tmp_path)
    code, _, err = prepare(*pair, "--root", tmp_path)
    assert code == 0, err
    assert snapshot(tmp_path) == before
    assert readme.read_text(encoding="utf-8") == "# My comparison\n\nHalf written.\n"


def test_mode_and_source_count_must_agree(pair, tmp_path):
    for args, says in (((*pair, "--mode", "full"), "two SOURCEs make a comparison"),
                       ((pair[0], "--mode", "compare"), "--mode compare needs both papers"),
                       ((*pair, pair[0]), "give one SOURCE, or two")):
        code, out, err = prepare(*args, "--root", tmp_path / "notes")
        assert code == 2 and out == "" and says in err, err
    assert not (tmp_path / "notes").exists()


# ---------------------------------------------------------------------------------------------------------------
# bad input: one line, non-zero, nothing left


def bad_pair_cases(tmp_path: Path, a: Path) -> list[tuple[list[object], str]]:
    copy = tmp_path / "in" / "copy.pdf"
    copy.write_bytes(a.read_bytes())
    return [
        ([a, a], "same paper (both are the file"),
        ([a, copy], "same paper (the two PDFs are identical)"),
        ([a, tmp_path / "in" / "missing.pdf"], "paper B: "),
        ([tmp_path / "in" / "missing.pdf", a], "paper A: "),
        ([a, html_as_pdf(tmp_path / "in" / "page.pdf")], "is not a PDF"),
        ([a, scanned(tmp_path / "in" / "scan.pdf")], "paper B: "),
    ]


def test_bad_pairs_are_one_line_and_leave_nothing(pair, tmp_path):
    a = pair[0]
    root = tmp_path / "notes"
    for args, says in bad_pair_cases(tmp_path, a):
        code, out, err = prepare(*args, "--root", root)
        line = one_error(err)
        assert code == 1 and out == "" and says in line, (args, err)
        assert not root.exists(), (args, tree(root))
    assert "no text layer" in prepare(a, tmp_path / "in" / "scan.pdf", "--root", root)[2]


def test_arxiv_version_of_a_local_paper_is_the_same_paper(tmp_path):
    doc = pymupdf.open(stream=paper_bytes(title=TITLE_A))  # with arXiv's stamp in the margin
    doc[0].insert_text((20, 500), "arXiv:2401.01234v1  [cs.LG]  3 Jan 2024", fontsize=14, rotate=90)
    v1 = tmp_path / "v1.pdf"
    doc.save(v1)
    doc[0].insert_text((300, 40), "v2", fontsize=8)
    v2 = tmp_path / "v2.pdf"
    doc.save(v2)
    code, _, err = prepare(v1, v2, "--root", tmp_path / "notes")
    assert code == 1 and "same paper (both are arXiv paper 2401.01234)" in one_error(err)
    assert not (tmp_path / "notes").exists()


def test_a_failure_while_writing_removes_only_what_the_run_added(pair, tmp_path):
    """A foreign images/b/figures.yaml stops the run at paper B's figures, after paper A's files were written."""
    folder = tmp_path / "notes" / "mine"
    (folder / "images" / "b").mkdir(parents=True)
    (folder / "my-draft.md").write_text("thoughts\n", encoding="utf-8")
    (folder / "images" / "b" / "figures.yaml").write_text("figures: []  # mine\n", encoding="utf-8")
    before = snapshot(tmp_path)
    code, _, err = prepare(*pair, "--root", tmp_path / "notes", "--name", "mine")
    assert code == 3 and "paper B: " in one_error(err) and "was not written by" in err
    assert snapshot(tmp_path) == before  # paper.pdf, README.md, A's figures and facts, b/: all gone again


# ---------------------------------------------------------------------------------------------------------------
# downloads, from a local server


class Server:
    """Serves path -> (status, body); everything else is a 404 page."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, bytes, str]] = {}
        self.hits: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.hits.append(self.path)
                status, body, ctype = outer.routes.get(self.path, (404, b"<html>Not Found</html>", "text/html"))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


ATOM = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><entry>
<id>http://arxiv.org/abs/2402.00002v1</id><updated>2024-02-01T00:00:00Z</updated>
<published>2024-02-01T00:00:00Z</published><title>Sparse Experts at Scale</title><summary>Short.</summary>
<author><name>Ada Lovelace</name></author><author><name>Alan Turing</name></author>
<author><name>Grace Hopper</name></author>
<category term="cs.LG"/></entry></feed>"""


@pytest.fixture
def server(monkeypatch, tmp_path):
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    s = Server()
    monkeypatch.setenv("AIPR_ARXIV_API", s.base + "/api/query")
    monkeypatch.setenv("AIPR_ARXIV_PDF_BASE", s.base + "/pdf")
    monkeypatch.setenv("AIPR_HTTP_BACKOFF", "0")
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmpdir))  # to see that no download is left behind
    yield s
    s.close()


def downloads_left(tmp_path: Path) -> list[str]:
    return [p.name for p in (tmp_path / "tmp").rglob("*") if p.name.startswith("aipr-") or p.suffix == ".pdf"]


def test_b_downloaded_from_arxiv_lands_in_b_with_its_record(server, pair, tmp_path):
    server.routes["/api/query?id_list=2402.00002"] = (200, ATOM.encode(), "application/atom+xml")
    server.routes["/pdf/2402.00002v1"] = (200, pair[1].read_bytes(), "application/pdf")
    code, _, err = prepare(pair[0], "arXiv:2402.00002", "--root", tmp_path / "notes")
    assert code == 0, err
    folder = tmp_path / "notes" / NAME
    assert (folder / "b" / "paper.pdf").read_bytes() == pair[1].read_bytes()
    src = yaml.safe_load((folder / "b" / "source.yaml").read_text(encoding="utf-8"))
    assert src["arxiv_id"] == "2402.00002" and src["authors"][-1] == "Grace Hopper"
    assert not (folder / "source.yaml").exists()  # A came from a file
    b_yaml = yaml.safe_load((folder / "b" / "paper.yaml").read_text(encoding="utf-8"))
    assert b_yaml["authors"] == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]  # the arXiv record wins
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "- **Authors B:** Ada Lovelace, Alan Turing, Grace Hopper" in readme
    assert "[arXiv 2402.00002](https://arxiv.org/abs/2402.00002)" in readme
    assert downloads_left(tmp_path) == []


def test_b_download_failing_is_one_line_and_leaves_nothing(server, pair, tmp_path):
    server.routes["/api/query?id_list=2402.00002"] = (200, ATOM.encode(), "application/atom+xml")
    code, out, err = prepare(pair[0], "2402.00002", "--root", tmp_path / "notes")  # the PDF is a 404
    line = one_error(err) if code == 4 else err
    assert code == 4 and out == "" and "paper B: " in line and "2402.00002" in line, err
    assert not (tmp_path / "notes").exists() and downloads_left(tmp_path) == []


def test_b_download_that_is_a_web_page_is_refused(server, pair, tmp_path):
    server.routes["/files/b.pdf"] = (200, b"<!DOCTYPE html><html><body>Sign in</body></html>", "text/html")
    code, _, err = prepare(pair[0], server.base + "/files/b.pdf", "--root", tmp_path / "notes")
    assert code == 4 and "paper B: " in one_error(err)
    assert not (tmp_path / "notes").exists() and downloads_left(tmp_path) == []


def test_same_arxiv_paper_twice_is_refused_before_any_download(server, tmp_path):
    code, _, err = prepare("2402.00002", "https://arxiv.org/abs/2402.00002v1", "--root", tmp_path / "notes")
    assert code == 1 and "same paper (both name arXiv paper 2402.00002)" in one_error(err)
    assert server.hits == [] and not (tmp_path / "notes").exists()


# ---------------------------------------------------------------------------------------------------------------
# the templates and the checker agree on a fresh comparison


def test_compare_templates_have_both_headers_and_a_place_for_each_method():
    for lang in ("en", "zh"):
        text = (ROOT / "templates" / f"compare.{lang}.md").read_text(encoding="utf-8")
        for ph in ("title_b", "authors_b", "venue_b", "year_b", "arxiv_b", "arxiv_url_b", "pdf_link_b"):
            assert "{{" + ph + "}}" in text, (lang, ph)
        assert "key_formulas_of_a" in text and "key_formulas_of_b" in text
        assert ("| Scale |" if lang == "en" else "| 规模 |") in text  # the settings table, side by side
        assert "code_sketch_of_a" in text and "code_sketch_of_b" in text
        spec = template_spec("compare", lang)
        assert len(spec.header_labels) == 9 and spec.header_labels[3].endswith("B")


@pytest.mark.corpus
def test_corpus_pair_prepares_and_the_checker_finds_only_placeholders(corpus, tmp_path):
    a, b = corpus / "pdfs" / "bert4rec.pdf", corpus / "pdfs" / "sasrec.pdf"
    if not (a.is_file() and b.is_file()):
        pytest.skip("bert4rec.pdf or sasrec.pdf is not in the corpus")
    for lang in ("en", "zh"):
        code, _, err = prepare(a, b, "--root", tmp_path / lang, "--lang", lang)
        assert code == 0, err
        folder = tmp_path / lang / "bert4rec-vs-self-attentive"
        # SASRec numbers its tables in Roman: the cell files keep the printed number
        assert {"tabI.md", "tabII.md", "tabIII.md"} <= {p.name for p in (folder / "b" / "tables").glob("tab*.md")}
        assert (folder / "tables" / "tab2.md").is_file()
        b_yaml = yaml.safe_load((folder / "b" / "paper.yaml").read_text(encoding="utf-8"))
        assert b_yaml["authors"] == ["Wang-Cheng Kang", "Julian McAuley"]
        res = check_note(folder)
        assert (res["mode"], res["lang"]) == ("compare", lang)
        codes = {f["code"] for f in res["findings"] if f["severity"] == "error"}
        assert codes <= {"placeholder", "section-empty"}, codes


def test_a_folder_holding_another_pair_is_not_read_as_this_one(pair, tmp_path):
    assert prepare(*pair, "--root", tmp_path, "--name", "mine")[0] == 0
    other = paper(tmp_path / "in" / "c.pdf", title="Retrieval Heads for Long Context")
    before = snapshot(tmp_path / "mine")
    code, _, err = prepare(pair[0], other, "--root", tmp_path, "--name", "mine")
    assert code == 3 and "paper B: " in one_error(err) and "holds another paper" in err
    assert snapshot(tmp_path / "mine") == before
    code, _, err = prepare(pair[0], other, "--root", tmp_path, "--name", "mine", "--force")
    assert code == 0, err
    assert (tmp_path / "mine" / "b" / "paper.pdf").read_bytes() == other.read_bytes()
    b_yaml = yaml.safe_load((tmp_path / "mine" / "b" / "paper.yaml").read_text(encoding="utf-8"))
    assert b_yaml["title"] == "Retrieval Heads for Long Context"


def test_json_result_has_both_papers(pair, tmp_path):
    code, out, err = prepare(*pair, "--root", tmp_path, "--json")
    assert code == 0, err
    got = json.loads(out)
    assert got["mode"] == "compare" and got["title"] == TITLE_A and got["b"]["title"] == TITLE_B
    assert Path(got["b"]["paper_yaml"]) == tmp_path / NAME / "b" / "paper.yaml"
    assert Path(got["b"]["manifest"]) == tmp_path / NAME / "images" / "b" / "figures.yaml"
    assert (got["figures"], got["b"]["figures"]) == (2, 3)


ZH_NOTE = ROOT / "tests" / "data" / "notes" / "widedeep-vs-deepfm-compare-zh" / "README.md"


@pytest.mark.corpus
def test_a_written_chinese_comparison_passes_and_planted_faults_in_b_are_caught(corpus, tmp_path):
    """The folder one command makes is all the checker needs: B's header, figures and numbers are read from b/."""
    a, b = corpus / "pdfs" / "widedeep.pdf", corpus / "pdfs" / "deepfm.pdf"
    if not (a.is_file() and b.is_file()):
        pytest.skip("widedeep.pdf or deepfm.pdf is not in the corpus")
    code, _, err = prepare(a, b, "--root", tmp_path, "--lang", "zh")
    assert code == 0, err
    folder = tmp_path / "wide-deep-learning-vs-deepfm"
    readme = folder / "README.md"
    good = ZH_NOTE.read_text(encoding="utf-8")
    readme.write_text(good, encoding="utf-8")
    res = check_note(folder)
    assert (res["mode"], res["lang"], res["errors"], res["warnings"]) == ("compare", "zh", 0, 0), res["findings"]

    for old, new, want in (
            ("Huifeng Guo, Ruiming Tang", "Huifeng Guo, Ruiming Tan", "header-authors"),  # a wrong author of B
            ("![表 2（论文 B）：", "![表 2：", "image-paper"),  # B's table shown under an A label
            ("0.8715 和 0.8673（B 表 2，第 5 页）", "0.8715 和 0.8673（A 表 1，第 4 页）", "number-not-at-source")):
        assert good.count(old) == 1, old
        readme.write_text(good.replace(old, new), encoding="utf-8")
        codes = {f["code"] for f in check_note(folder)["findings"] if f["severity"] == "error"}
        assert codes == {want}, (want, codes)
