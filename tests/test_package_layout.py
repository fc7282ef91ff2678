"""The package's shape: subsystems as subpackages, one library call per job, thin scripts, one PDF open per prepare,
one answer to "what is this file?", and prepare_paper's folder byte-identical to the scripts run one by one."""
from __future__ import annotations

import ast
import hashlib
from pathlib import Path

import pymupdf
import pytest
from conftest import CORPUS_PDFS, SCRIPTS, run_script

PAPERKIT = SCRIPTS / "paperkit"
SUBSYSTEMS = {"io", "figures", "facts", "note"}
SCRIPT_NAMES = sorted(p.stem for p in SCRIPTS.glob("*.py"))


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append(node.module)
    return out


@pytest.mark.parametrize("name", SCRIPT_NAMES)
def test_no_script_imports_another_script(name):
    imported = {m.split(".")[0] for m in _imports(SCRIPTS / f"{name}.py")}
    assert not imported & set(SCRIPT_NAMES), f"{name}.py imports {sorted(imported & set(SCRIPT_NAMES))}"
    text = (SCRIPTS / f"{name}.py").read_text(encoding="utf-8")
    assert "spec_from_file_location" not in text and "import_module" not in text


def test_paperkit_is_grouped_by_subsystem():
    subpackages = {p.name for p in PAPERKIT.iterdir() if (p / "__init__.py").is_file()}
    assert subpackages >= SUBSYSTEMS
    loose = sorted(p.name for p in PAPERKIT.glob("*.py") if p.name not in ("__init__.py", "jobs.py"))
    assert loose == [], f"modules outside a subsystem: {loose}"
    figures = {p.stem for p in (PAPERKIT / "figures").glob("*.py")}
    # the figure pipeline's stages, named as pdffigures2 names them
    assert {"layout", "graphics", "captions", "regions", "manifest", "render"} <= figures


def _main_calls(path: Path) -> list[str]:
    """The jobs.X calls in a script's main()."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    main = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main")
    return [n.func.attr for n in ast.walk(main) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
            and isinstance(n.func.value, ast.Name) and n.func.value.id == "jobs"]


@pytest.mark.parametrize("name", SCRIPT_NAMES)
def test_every_script_is_a_thin_cli_over_one_library_call(name):
    calls = _main_calls(SCRIPTS / f"{name}.py")
    assert len(calls) == 1, f"{name}.py's main calls {calls or 'no'} library job(s); it should call exactly one"
    from paperkit import jobs

    assert callable(getattr(jobs, calls[0], None)), f"jobs.{calls[0]} is not a library call"
    # arguments, the call, output: nothing of the job's own (no PDF, page or manifest handling)
    text = (SCRIPTS / f"{name}.py").read_text(encoding="utf-8")
    for job_code in ("import pymupdf", "import yaml", "fsutil.", "pipeline.", "render_png", "manifest.build"):
        assert job_code not in text, f"{name}.py does a job's work itself ({job_code!r})"


def test_one_function_tells_what_a_file_is(tmp_path):
    from paperkit.io import fetch, pdf
    from paperkit.io.errors import NetworkError, UserError
    from paperkit.io.filetype import what_is

    html = b"<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>"
    page = tmp_path / "paper.pdf"
    page.write_bytes(html)
    with pytest.raises(UserError) as local:
        pdf.check_pdf_path(page)
    with pytest.raises(NetworkError) as remote:
        fetch.check_pdf_head(html, "text/html", "https://example.org/x.pdf")
    said = what_is(html)
    assert said == "an HTML page titled 'Just a moment...'"
    assert said in str(local.value)
    assert what_is(html, "text/html") in str(remote.value)
    for source in (pdf, fetch):  # neither keeps a sniffer of its own
        text = Path(source.__file__).read_text(encoding="utf-8")
        assert "\\x89PNG" not in text and "<!doctype html" not in text.lower()


def test_prepare_opens_the_pdf_once(sample_pdf, tmp_path, monkeypatch):
    from paperkit import jobs

    opened: list[str] = []
    real_open = pymupdf.open

    def counting_open(*args, **kwargs):
        opened.append(str(args[0]) if args else "")
        return real_open(*args, **kwargs)

    monkeypatch.setattr(pymupdf, "open", counting_open)
    result = jobs.prepare(str(sample_pdf), tmp_path / "notes")
    assert Path(result["paper_md"]).is_file() and result["tables"] == 2
    pdf_opens = [p for p in opened if p.endswith(".pdf")]
    assert pdf_opens == [str(sample_pdf)], f"the PDF was opened {len(pdf_opens)} times: {pdf_opens}"


def _digests(folder: Path) -> dict[str, str]:
    keep = ("images/", "tables/", "paper.yaml", "paper.md", "README.md", "paper.pdf")
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and str(p.relative_to(folder)).startswith(keep)}


def _prepare_both_ways(pdf: Path, tmp_path: Path) -> tuple[dict[str, str], dict[str, str]]:
    one = run_script("prepare_paper", pdf, "--root", tmp_path / "one", "--name", "p", "--quiet")
    assert one.returncode == 0, one.stderr
    scaffold = run_script("scaffold_dir", pdf, "--root", tmp_path / "steps", "--name", "p")
    assert scaffold.returncode == 0, scaffold.stderr
    folder = tmp_path / "steps" / "p"
    for name, args in (("smart_extract", [folder / "paper.pdf", folder]),
                       ("paper_info", [folder / "paper.pdf", "--out", folder])):
        proc = run_script(name, *args, "--quiet")
        assert proc.returncode == 0, proc.stderr
    return _digests(tmp_path / "one" / "p"), _digests(folder)


def test_prepare_equals_the_scripts_one_by_one_on_the_sample(sample_pdf, tmp_path):
    together, steps = _prepare_both_ways(sample_pdf, tmp_path)
    assert "images/figures.yaml" in together and "paper.md" in together
    assert together == steps


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("slug", ["attention", "resnet", "dien"])
def test_prepare_equals_the_scripts_one_by_one_on_real_papers(corpus, slug, tmp_path):
    together, steps = _prepare_both_ways(CORPUS_PDFS / f"{slug}.pdf", tmp_path)
    assert any(k.startswith("tables/") for k in together)
    assert together == steps
