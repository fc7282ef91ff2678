#!/usr/bin/env python3
"""Benchmark smart_extract.py on a folder of PDFs: speed of the whole job, and accuracy when ground truth is given.

For each PDF it runs the extractor in this process (no interpreter start-up counted): find the figures, render them,
write images/ and the manifest. It copies each manifest to PRED/<slug>.yaml, the format ../shared/bench/score.py
reads, prints ms per page for every paper, the median over papers and pages per second over the whole folder, and
then, with --gt, the score table. --baseline also times the seed design (every drawing cluster and every bitmap
dumped, with extract_vector.py and extract_embedded.py) on the same PDFs.

With --gt, only the PDFs that have an annotation file there are run (a pool of PDFs can hold many more).

examples:
  python bench/bench_figures.py ../shared/corpus/pdfs --gt ../shared/corpus/annotations
  python bench/bench_figures.py ../pool/pdfs --gt bench/corpus2/annotations
  python bench/bench_figures.py ../shared/corpus/pdfs --pred /tmp/pred --baseline
"""
from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"
SCORE = ROOT.parent / "shared" / "bench" / "score.py"


def load_script(name: str):
    """Imports scripts/NAME.py as a module, so its main() runs in this process."""
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load scripts/{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(SCRIPTS))
    spec.loader.exec_module(mod)
    return mod


def page_count(pdf: Path) -> int:
    import pymupdf

    with pymupdf.open(pdf) as doc:
        return doc.page_count


def time_run(main, argv: list[str]) -> float:
    """Seconds one in-process run takes; its stdout is swallowed, a failure stops the benchmark."""
    t = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        rc = main(argv)
    elapsed = time.perf_counter() - t
    if rc:
        raise SystemExit(f"run failed with exit code {rc}: {argv}")
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pdfs", type=Path, help="folder of PDFs")
    ap.add_argument("--pred", type=Path, help="where to put <slug>.yaml manifests (default: a temporary folder)")
    ap.add_argument("--gt", type=Path, help="ground-truth annotations folder: score the manifests with score.py")
    ap.add_argument("--dpi", type=int, default=200)
    ap.add_argument("--baseline", action="store_true", help="also time the seed design's extractor")
    a = ap.parse_args()

    pdfs = sorted(a.pdfs.glob("*.pdf"))
    if a.gt:
        import json

        wanted = {json.loads(f.read_text(encoding="utf-8")).get("pdf", f.stem + ".pdf") for f in a.gt.glob("*.json")}
        pdfs = [p for p in pdfs if p.name in wanted]
    if not pdfs:
        print(f"no PDFs in {a.pdfs}", file=sys.stderr)
        return 1
    smart = load_script("smart_extract")
    pred = a.pred or Path(tempfile.mkdtemp(prefix="aipr-pred-"))
    pred.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="aipr-bench-"))
    rows = []
    try:
        print(f"{'paper':<16}{'pages':>6}{'ms/page':>9}{'figures':>9}{'tables':>8}")
        for pdf in pdfs:
            out = work / pdf.stem
            n = page_count(pdf)
            secs = time_run(smart.main, [str(pdf), str(out), "--dpi", str(a.dpi), "--quiet"])
            import yaml

            data = yaml.safe_load((out / "images" / "figures.yaml").read_text(encoding="utf-8"))
            shutil.copyfile(out / "images" / "figures.yaml", pred / f"{pdf.stem}.yaml")
            rows.append((pdf.stem, n, secs))
            print(f"{pdf.stem:<16}{n:>6}{secs * 1000 / n:>9.1f}{len(data['figures']):>9}{len(data['tables']):>8}")
        pages = sum(r[1] for r in rows)
        total = sum(r[2] for r in rows)
        median = statistics.median(r[2] * 1000 / r[1] for r in rows)
        print(f"smart_extract: {pages} pages in {total:.2f} s = {pages / total:.1f} pages/s; "
              f"median over papers {median:.1f} ms/page (find + render at {a.dpi} dpi + write)")

        if a.baseline:
            vec, emb = load_script("extract_vector"), load_script("extract_embedded")
            base = 0.0
            for pdf in pdfs:
                out = work / f"seed-{pdf.stem}"
                base += time_run(vec.main, [str(pdf), str(out / "vector"), "--dpi", str(a.dpi)])
                base += time_run(emb.main, [str(pdf), str(out / "embedded")])
            files = sum(1 for _ in work.glob("seed-*/*/*.png"))
            print(f"seed design (extract_vector + extract_embedded): {pages} pages in {base:.2f} s = "
                  f"{pages / base:.1f} pages/s, {files} images written")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"manifests: {pred}")

    if a.gt:
        if not SCORE.exists():
            print(f"score.py not found at {SCORE}; skipping the score", file=sys.stderr)
            return 0
        subprocess.run([sys.executable, str(SCORE), "--gt", str(a.gt), "--pdfs", str(a.pdfs), "--pred", str(pred)],
                       check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
