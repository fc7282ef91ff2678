"""Writing a batch of images and the manifest that records them, for the extractors that dump many files.

The manifest (JSON, in the output folder) names the tool that wrote it and its files: a re-run of the same tool may
replace those files (and removes the ones it no longer makes), but nothing else in the folder is replaced without
--force. The batch is rendered into a hidden staging folder first, so a failed run leaves no half-written files.
"""
from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import fsutil
from .errors import OutputError

PREFIX = "ai-paper-reader "


def previous_files(outdir: Path, manifest_name: str, tool: str) -> set[str] | None:
    """The files an earlier run of tool wrote into outdir, or None when manifest_name exists but is not tool's."""
    path = outdir / manifest_name
    if not path.exists():
        return set()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("generator") != PREFIX + tool:
        return None
    return {Path(it["file"]).name for it in data.get("images") or []
            if isinstance(it, dict) and isinstance(it.get("file"), str)}


def write_batch(outdir: Path, tool: str, manifest_name: str, names: list[str], make: Callable[[int], bytes],
                manifest: Callable[[], dict[str, Any]], force: bool,
                on_file: Callable[[int, int], None] | None = None) -> None:
    """Writes make(i) as outdir/names[i] for every i, then manifest() (called after the last file, so it can tell
    what the files turned out to be), all or nothing.

    Checks every clash before the first render, so a refused run costs nothing and changes nothing.
    """
    owned = previous_files(outdir, manifest_name, tool)
    if owned is None and not force:
        raise OutputError(f"{outdir / manifest_name} exists and was not written by {tool}; pass --force to replace it")
    owned = owned or set()
    allowed = owned | {manifest_name} | (set(names) if force else set())
    clashes = [n for n in [*names, manifest_name] if n not in allowed and (outdir / n).exists()]
    if clashes:
        more = f" (and {len(clashes) - 1} more)" if len(clashes) > 1 else ""
        raise OutputError(f"{outdir / clashes[0]}{more} exists and was not written by {tool}; "
                          "pass --force to overwrite it")
    with fsutil.staging_dir(outdir) as stage:
        for i, name in enumerate(names):
            (stage / name).write_bytes(make(i))
            if on_file:
                on_file(i + 1, len(names))
        data = {"generator": PREFIX + tool, **manifest()}
        (stage / manifest_name).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        fsutil.publish(stage, outdir, [*names, manifest_name], overwrite=allowed)
    for stale in owned - set(names):  # this tool's own files from an earlier run that this run no longer makes
        with contextlib.suppress(OSError):
            (outdir / stale).unlink()
