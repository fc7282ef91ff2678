#!/usr/bin/env python3
"""Re-materialise the corpus2 PDFs from local git mirrors of their public repositories, checked by SHA-256.

Each row of sources.tsv names a public GitHub repository, a commit and a path; the PDF is read with
`git --git-dir MIRROR/<owner>+<name>/repo show COMMIT:PATH`, its SHA-256 is compared with the recorded one, and it is
written to OUT/<slug>.pdf (atomically; a file already there with the right hash is left alone). A repository with
no mirror is reported with the fetch to run, and the script exits 1 when any PDF is missing at the end.

The PDFs stay out of git: copyright stays with their authors.

examples:
  python bench/corpus2/get_pdfs.py
  python bench/corpus2/get_pdfs.py --out /work/pool/pdfs --mirror /work/.mirror
  python bench/corpus2/get_pdfs.py --list
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def read_sources(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_atomic(dest: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix="." + dest.name, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def git_dir(mirror: Path, repo: str) -> Path | None:
    base = mirror / repo.replace("/", "+")
    for cand in (base / "repo", base / "repo" / ".git"):
        if (cand / "HEAD").exists():
            return cand
    return None


def materialise(row: dict[str, str], mirror: Path, out: Path) -> str:
    """Bring one PDF into OUT; return a one-line status."""
    dest = out / f"{row['slug']}.pdf"
    if dest.exists() and sha256(dest.read_bytes()) == row["sha256"]:
        return "ok (present)"
    gd = git_dir(mirror, row["repo"])
    if gd is None:
        return f"MISSING: no mirror of {row['repo']}; run the fetch tool on github:{row['repo']}, then this again"
    res = subprocess.run(["git", "--git-dir", str(gd), "show", f"{row['commit']}:{row['path']}"], capture_output=True)
    if res.returncode != 0:
        return f"MISSING: {row['repo']} mirror lacks {row['commit'][:10]}:{row['path']} (fetch it again?)"
    if sha256(res.stdout) != row["sha256"]:
        return f"MISSING: {row['repo']}:{row['path']} has another SHA-256 than recorded"
    write_atomic(dest, res.stdout)
    return "ok (written)"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sources", type=Path, default=HERE / "sources.tsv", help="provenance (default: %(default)s)")
    ap.add_argument("--mirror", type=Path, default=Path("/work/.mirror"), help="mirrors folder (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=Path("/work/pool/pdfs"), help="PDF folder (default: %(default)s)")
    ap.add_argument("--list", action="store_true", help="only list slug, layout and repository")
    a = ap.parse_args()
    if not a.sources.is_file():
        print(f"error: no sources table at {a.sources}", file=sys.stderr)
        return 2
    rows = read_sources(a.sources)
    if a.list:
        for r in rows:
            print(f"{r['slug']:18s} {r['layout']:18s} {r['repo']}:{r['path']}")
        return 0
    a.out.mkdir(parents=True, exist_ok=True)
    missing = 0
    for r in rows:
        status = materialise(r, a.mirror, a.out)
        missing += status.startswith("MISSING")
        print(f"{r['slug']:18s} {status}", file=sys.stderr)
    print(f"{len(rows) - missing} of {len(rows)} PDFs in {a.out}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
