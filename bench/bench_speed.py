#!/usr/bin/env python3
"""Time smart_extract and paper_info side by side on a folder of PDFs.

    python3 bench/bench_speed.py ../shared/corpus/pdfs [--repeat 3] [--json]
    python3 bench/bench_speed.py ../shared/corpus/pdfs --whole [--repeat 3]

By default the jobs run in-process (extract_figures, read_facts, each on its own opened PDF as the script runs it,
and prepare_paper's whole job): interpreter start-up is not included. --whole times the two commands as a user runs
them (python3 scripts/smart_extract.py PDF DIR, then python3 scripts/paper_info.py PDF --out DIR), start-up, imports
and exit included, the two interleaved so a busy machine slows both alike.

Prints one row a paper (best of --repeat runs, in seconds), the totals, and the papers where paper_info took longer.
A benchmark prints figures, it does not fail on a slow machine.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from paperkit import jobs
from paperkit.io.pdf import open_pdf


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def time_paper(pdf: Path, repeat: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="aipr-speed-") as tmp:
        folder = Path(tmp) / "note"

        def figures() -> None:
            doc = open_pdf(pdf)
            jobs.extract_figures(doc, pdf, folder, force=True)
            doc.close()

        def facts() -> None:
            doc = open_pdf(pdf)
            jobs.read_facts(doc, pdf, folder, force=True)
            doc.close()

        def prepare() -> None:
            jobs.prepare(str(pdf), Path(tmp) / "prep", name="p", force=True)

        t_fig = _best(figures, repeat)  # also leaves the manifest read_facts reads, as in the workflow
        t_facts = _best(facts, repeat)
        t_prep = _best(prepare, repeat)
        pages = open_pdf(pdf).page_count
    return {"pages": pages, "smart_extract_s": t_fig, "paper_info_s": t_facts, "prepare_s": t_prep}


SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def time_commands(pdf: Path, repeat: int) -> dict[str, float]:
    """The two scripts as whole commands, interleaved, best of repeat each."""
    def run(cmd: list[str]) -> float:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        return time.perf_counter() - t0

    best = {"smart_extract_s": float("inf"), "paper_info_s": float("inf")}
    with tempfile.TemporaryDirectory(prefix="aipr-speed-") as tmp:
        folder = Path(tmp) / "note"
        for _ in range(repeat):
            shutil.rmtree(folder, ignore_errors=True)  # a first run each time, as a new paper gets
            best["smart_extract_s"] = min(best["smart_extract_s"], run(
                [str(SCRIPTS / "smart_extract.py"), str(pdf), str(folder), "--quiet"]))
            best["paper_info_s"] = min(best["paper_info_s"], run(
                [str(SCRIPTS / "paper_info.py"), str(pdf), "--out", str(folder), "--quiet", "--force"]))
    return {"pages": open_pdf(pdf).page_count, **best, "prepare_s": float("nan")}


def _secs(v: float) -> str:
    return f"{'-':>9}" if v != v else f"{v:>8.2f}s"  # NaN: not timed (--whole)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pdfs", type=Path, help="a folder of PDFs (or one PDF)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per job; the best is kept")
    ap.add_argument("--whole", action="store_true", help="time the two scripts as whole commands (no prepare)")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    files = [a.pdfs] if a.pdfs.is_file() else sorted(a.pdfs.glob("*.pdf"))
    if not files:
        print(f"no PDFs in {a.pdfs}", file=sys.stderr)
        return 1
    rows = {}
    for pdf in files:
        try:
            rows[pdf.stem] = time_commands(pdf, a.repeat) if a.whole else time_paper(pdf, a.repeat)
        except Exception as exc:  # noqa: BLE001 -- a benchmark reports a paper it cannot time and goes on
            print(f"{pdf.name}: {type(exc).__name__}: {exc}", file=sys.stderr)
    if a.json:
        print(json.dumps(rows, indent=1))
        return 0
    print(f"{'paper':<14}{'pages':>6}{'smart_extract':>15}{'paper_info':>12}{'ratio':>7}{'prepare':>9}")
    for slug, r in rows.items():
        print(f"{slug:<14}{r['pages']:>6}{r['smart_extract_s']:>14.2f}s{r['paper_info_s']:>11.2f}s"
              f"{r['paper_info_s'] / r['smart_extract_s']:>7.2f}{_secs(r['prepare_s'])}")
    tot = {k: sum(r[k] for r in rows.values()) for k in ("pages", "smart_extract_s", "paper_info_s", "prepare_s")}
    print(f"{'total':<14}{tot['pages']:>6}{tot['smart_extract_s']:>14.2f}s{tot['paper_info_s']:>11.2f}s"
          f"{tot['paper_info_s'] / tot['smart_extract_s']:>7.2f}{_secs(tot['prepare_s'])}")
    slower = [s for s, r in rows.items() if r["paper_info_s"] > r["smart_extract_s"]]
    print(f"paper_info slower than smart_extract on {len(slower)} of {len(rows)} paper(s)"
          + (f": {', '.join(slower)}" if slower else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
