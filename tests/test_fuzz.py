"""Fuzzing: real PDFs with bytes flipped, cut, deleted or duplicated never make a script crash or hang.

The only outcomes allowed for smart_extract.py, paper_info.py, extract_embedded.py and extract_vector.py (and
crop_figure.py) on a mutated PDF are success (exit 0) or one line "SCRIPT.py: error: ..." with exit 1 or 3 --
never a traceback, never exit 70 (internal error), never a run past TIMEOUT_S. A failed run leaves no file behind
and no run writes outside its output folder.

Each example runs the scripts' main() in a forked child of this process (the modules are imported once, so an
example costs what the scripts do, not what starting Python does), which the test kills if it outlives the timeout.

CI runs a few examples, the same ones every time; by hand:
    AIPR_FUZZ_EXAMPLES=500 python -m pytest tests/test_fuzz.py -q -s
(-s prints a line per failure found and the count of cases run; AIPR_FUZZ_SEED=N picks another random walk).
"""
from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
import os
import re
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

import hostile as H
import pymupdf
import pytest
from conftest import SAMPLE_PDF, SCRIPTS
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from paperkit.io import cli

EXAMPLES = int(os.environ.get("AIPR_FUZZ_EXAMPLES", "25"))
TIMEOUT_S = float(os.environ.get("AIPR_FUZZ_TIMEOUT", "60"))
SEED = int(os.environ.get("AIPR_FUZZ_SEED", "0"))
# shrinking a failure re-runs the scripts hundreds of times: only when asked (AIPR_FUZZ_SHRINK=1)
PHASES = [Phase.explicit, Phase.reuse, Phase.generate] + ([Phase.shrink] if os.environ.get("AIPR_FUZZ_SHRINK") else [])
# places where a mutation breaks the file's structure rather than the inside of a compressed stream
STRUCTURE = (b" obj", b"endobj", b"stream", b"endstream", b"xref", b"trailer", b"startxref", b"/Length", b"/Type",
             b"/Kids", b"/Count", b"/Filter", b"/Font", b"/XObject", b"/Width", b"/BitsPerComponent", b"/Contents")

FUZZED: dict[str, Callable[[Path, Path], list[str]]] = {
    "smart_extract": lambda pdf, out: [str(pdf), str(out), "--quiet", "--dpi", "72"],
    "paper_info": lambda pdf, out: [str(pdf), "--out", str(out), "--quiet"],
    "extract_embedded": lambda pdf, out: [str(pdf), str(out), "--quiet"],
    "extract_vector": lambda pdf, out: [str(pdf), str(out), "--quiet", "--dpi", "72"],
    "crop_figure": lambda pdf, out: [str(pdf), "1", "50", "50", "400", "400", str(out / "crop.png"), "--dpi", "72"],
}
PRESENT = [n for n in FUZZED if (SCRIPTS / f"{n}.py").is_file()]
TRACE = re.compile(r"Traceback|^\s+File \"", re.M)


# ---------------------------------------------------------------------------------------------------------------
# Seeds and mutations


def _pages(path: Path, pages: list[int], *, compress: bool = True) -> bytes:
    doc = pymupdf.open(path)
    doc.select([p for p in pages if p < doc.page_count])
    data = doc.tobytes(garbage=3, deflate=compress, use_objstms=0, expand=0 if compress else 255)
    doc.close()
    return data


def sample_seeds() -> dict[str, bytes]:
    assert SAMPLE_PDF.is_file(), "assets/sample-paper.pdf is missing: run python tests/make_sample_paper.py"
    return {
        "sample": SAMPLE_PDF.read_bytes(),  # as built: object streams, compressed
        "sample-p1-plain": _pages(SAMPLE_PDF, [0], compress=False),  # classic xref, readable objects
        "small": H.paper_bytes(pages=2),
    }


def corpus_seeds(corpus: Path) -> dict[str, bytes]:
    pdfs = corpus / "pdfs"
    # small real papers, two pages each (with a figure), as their authors' tools wrote them
    return {"widedeep": _pages(pdfs / "widedeep.pdf", [0, 1]), "gan": _pages(pdfs / "gan.pdf", [0, 4]),
            "esmm-plain": _pages(pdfs / "esmm.pdf", [1], compress=False)}


Mutation = tuple[str, int, int, int]  # (operation, where: a fraction of the file in 1/1,000,000, size, value)


@st.composite
def mutations(draw: st.DrawFn, seeds: dict[str, bytes]) -> tuple[str, list[Mutation]]:
    """(seed name, mutations): small data, so hypothesis can show and replay a failing case."""
    name = draw(st.sampled_from(sorted(seeds)))
    done: list[Mutation] = []
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "byte", "digit", "truncate", "delete", "duplicate", "zero"]))
        where = draw(st.integers(0, 999_999))
        # half of the mutations land near a structural keyword (value > 0 picks which), half anywhere (value 0)
        value = draw(st.integers(1, 10_000)) if draw(st.booleans()) else 0
        done.append((op, where, draw(st.integers(1, 4096)), value))
    return name, done


def mutate(data: bytes, done: list[Mutation]) -> bytes:
    """Applies the mutations in order; the same list always gives the same bytes."""
    buf = bytearray(data)
    for op, where, size, value in done:
        if len(buf) < 16:
            break
        # scattered: hypothesis favours small numbers, which would all land in the header
        pos = (where * 7919 + 4099) % 1_000_000 * len(buf) // 1_000_000
        if value:
            key = STRUCTURE[value % len(STRUCTURE)]
            hits = [m.start() for m in re.finditer(re.escape(key), buf)]
            if hits:
                pos = min(len(buf) - 1, hits[where % len(hits)] + value % 33 - 8)
        if op == "flip":
            buf[pos] ^= 1 << (size % 8)
        elif op == "byte":
            buf[pos] = size % 256
        elif op == "digit":  # a number in an object header, /Length, /Count or the xref made wrong
            buf[pos] = b"0123456789-."[size % 12]
        elif op == "truncate":
            del buf[pos:]
        elif op == "delete":
            del buf[pos:pos + size]
        elif op == "duplicate":
            buf[pos:pos] = buf[pos:pos + size]
        else:
            buf[pos:pos + size] = bytes(len(buf[pos:pos + size]))
    return bytes(buf)


# ---------------------------------------------------------------------------------------------------------------
# Running the scripts on one mutated file, in a forked child with a deadline


def _run_all(pdf: Path, root: Path) -> list[dict]:
    out = []
    for script in PRESENT:
        mod = H.load(script)
        folder = root / f"out-{script}"
        o, e = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(o), contextlib.redirect_stderr(e):
            try:
                code = cli.run(f"{script}.py", mod.main, FUZZED[script](pdf, folder))
            except BaseException as exc:  # noqa: BLE001 -- what escaped cli.run is exactly what we look for
                code, e = -1, io.StringIO(e.getvalue() + "".join(traceback.format_exception(exc)))
        out.append({"script": script, "code": code, "err": e.getvalue(), "folder": str(folder)})
    return out


def _child(conn: multiprocessing.connection.Connection, pdf: str, root: str) -> None:
    try:
        conn.send(json.dumps(_run_all(Path(pdf), Path(root))))
    finally:
        conn.close()


def run_forked(pdf: Path, root: Path) -> list[dict] | None:
    """The scripts' results, or None when they did not finish within TIMEOUT_S (the child is killed)."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, str(pdf), str(root)), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(TIMEOUT_S):
            return None
        return json.loads(parent.recv())
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()


def check(results: list[dict] | None, root: Path) -> list[str]:
    """What went wrong, one sentence each (empty: the run is as it must be)."""
    if results is None:
        return [f"a script ran past {TIMEOUT_S:.0f} s (hang?)"]
    problems = []
    for r in results:
        script, code, err = r["script"], r["code"], r["err"]
        lines = [ln for ln in err.splitlines() if ln.strip()]
        if TRACE.search(err) or code == -1:
            problems.append(f"{script}: traceback: {err[-600:]}")
        elif code not in (0, 1, 3):
            problems.append(f"{script}: exit {code}: {' | '.join(lines)[:400]}")
        elif code and (len(lines) != 1 or not lines[0].startswith(f"{script}.py: error: ")):
            problems.append(f"{script}: exit {code} without a one-line error: {err[:400]!r}")
        elif code == 0 and any(not ln.startswith(f"{script}.py: ") for ln in lines):
            problems.append(f"{script}: stray output on stderr: {err[:400]!r}")
        folder = Path(r["folder"])
        if code and folder.exists() and [p for p in folder.rglob("*") if p.is_file()] and script != "paper_info":
            problems.append(f"{script}: failed but left files: {sorted(p.name for p in folder.rglob('*'))[:5]}")
    left = H.leftovers(root)
    if left:
        problems.append(f"temporary files left: {left[:5]}")
    stray = [p.name for p in root.iterdir() if p.name != "in.pdf" and not p.name.startswith("out-")]
    if stray:
        problems.append(f"written outside the output folders: {stray}")
    return problems


def fuzz(seeds: dict[str, bytes], label: str) -> None:
    stats = {"cases": 0, "ok": 0, "errors": 0}
    found: list[str] = []
    messages: dict[str, int] = {}
    failures_allowed = int(os.environ.get("AIPR_FUZZ_KEEP_GOING", "0"))  # by hand: count failures, do not stop

    @seed(SEED)
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=SEED == 0,
              phases=PHASES, suppress_health_check=[HealthCheck.too_slow])
    @given(mutations(seeds))
    def one(case: tuple[str, list[Mutation]]) -> None:
        name, done = case
        with tempfile.TemporaryDirectory(prefix="aipr-fuzz-") as tmp:
            root = Path(tmp)
            (root / "in.pdf").write_bytes(mutate(seeds[name], done))
            results = run_forked(root / "in.pdf", root)
            problems = check(results, root)
        stats["cases"] += 1
        if results:
            stats["ok" if all(r["code"] == 0 for r in results) else "errors"] += 1
            for r in results:
                if r["code"]:  # the kinds of one-line errors seen, with the PDF's path taken out
                    said = re.sub(r"\S*in\.pdf", "IN", r["err"].strip())
                    said = re.sub(r"\(.*", "", said.split(": error: ")[-1])[:70]
                    messages[f"{r['script']}: exit {r['code']}: {said}"] = messages.get(
                        f"{r['script']}: exit {r['code']}: {said}", 0) + 1
        if problems:
            found.append(f"{name} {done}: {problems[0][:300]}")
            print(f"FUZZ {label}: {name} {done}: {problems}")
        assert not problems or len(found) <= failures_allowed, f"{name} mutated by {done}: {problems}"

    try:
        one()
    finally:
        print(f"fuzz {label}: {stats['cases']} cases ({stats['ok']} all exit 0, {stats['errors']} with an error), "
              f"{len(found)} failing")
        for said, n in sorted(messages.items(), key=lambda kv: -kv[1]):
            print(f"  {n:4d}  {said}")


def test_fuzz_sample_paper():
    fuzz(sample_seeds(), "sample")


def test_fuzz_real_papers(corpus):
    fuzz(corpus_seeds(corpus), "corpus")


def test_the_checks_catch_what_they_must(tmp_path):
    """A fuzz test whose checks cannot fail finds nothing: feed them the failures they are there to catch."""
    (tmp_path / "in.pdf").write_bytes(b"%PDF-1.7")
    assert check(None, tmp_path)
    bad = [{"script": "paper_info", "code": 70, "err": "paper_info.py: internal error: ValueError: x\n",
            "folder": str(tmp_path / "out-paper_info")},
           {"script": "smart_extract", "code": 1, "err": "Traceback (most recent call last):\n  File \"x\"\n",
            "folder": str(tmp_path / "out-smart_extract")},
           {"script": "extract_vector", "code": 1, "err": "a\nb\n", "folder": str(tmp_path / "out-extract_vector")}]
    H.write(tmp_path / "out-extract_vector" / "half.png", b"x")
    H.write(tmp_path / ".x.staging-1" / "y", b"x")
    problems = check(bad, tmp_path)
    assert len(problems) == 6, problems
    # a clean run of every script on the sample paper passes the same checks
    (tmp_path / "clean").mkdir()
    (tmp_path / "clean" / "in.pdf").write_bytes(SAMPLE_PDF.read_bytes())
    results = run_forked(tmp_path / "clean" / "in.pdf", tmp_path / "clean")
    assert results is not None and [r["code"] for r in results] == [0] * len(PRESENT), results
    assert check(results, tmp_path / "clean") == []


@pytest.mark.parametrize("mutation", ["truncate", "zero"])
def test_known_mutations_of_the_sample_stay_clean(mutation, tmp_path):
    """Two fixed cases, so the CI run always covers a cut file and a zeroed middle whatever hypothesis draws."""
    data = bytearray(SAMPLE_PDF.read_bytes())
    if mutation == "truncate":
        del data[len(data) * 2 // 3:]
    else:
        mid = len(data) // 2
        data[mid:mid + 20000] = bytes(20000)
    (tmp_path / "in.pdf").write_bytes(bytes(data))
    results = run_forked(tmp_path / "in.pdf", tmp_path)
    assert check(results, tmp_path) == [], results
