"""One call per job. The scripts are thin command lines over these: arguments, the call, output.

    prepare          a paper (PDF, arXiv id or link) to a note folder ready for writing: the four jobs below in
                     turn, on one opened PDF
    prepare_compare  two papers to one comparison folder: A as prepare does it, B in b/ and images/b/
    fetch_paper      download a paper into a new note folder (the only job that uses the network)
    scaffold         the note folder: paper.pdf, README.md from a template, images/
    extract_figures  every captioned figure and table into images/, with images/figures.yaml
    read_facts       paper.yaml (facts), paper.md (text), tables/tabN.md (cells)
    look_page        a page or region with rulers, grid and the manifest's boxes, and its lines, rules, images
    crop_figure      one region to PNG by hand; the manifest entry it replaces is marked hand_fixed
    check_note       the note checker's findings
    export_note      HTML, zip or Obsidian

Jobs take an opened document where they read a PDF, so a caller that runs several opens it once. They report
progress through a say callback (stderr in the scripts) and return plain data; they never print to stdout.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pymupdf

from .facts import record
from .facts.fulltext import convert, read_displays
from .facts.metadata import front_matter, read_metadata
from .facts.outline import build_outline, count_references
from .facts.tables import (
    TableItem,
    is_ours,
    items_from_figure_engine,
    items_from_manifest,
    table_markdown,
)
from .facts.textlines import body_font_size, page_lines, page_margins, page_vocabulary
from .figures import manifest, pipeline
from .figures.naming import short_name, slugify
from .figures.render import clip_rect, reaches_past, render_png, render_pngs
from .io import fsutil, yamlio
from .io.errors import OutputError, UserError
from .io.pdf import check_pdf_path, has_text_layer, open_pdf, page_index, was_repaired
from .note.scaffold import B_DIR, PDF_NAME, README, paper_facts, scaffold_note, values_of_b

if TYPE_CHECKING:  # downloads, the note checker, export and page views are imported by the jobs that use them:
    from .io import fetch  # the other scripts start without them (urllib.request alone costs 25 ms)

Say = Callable[[str], None]
MB = 1024 * 1024

__all__ = ["check_note", "crop_figure", "export_note", "extract_embedded", "extract_figures", "extract_vector",
           "fetch_paper", "is_remote", "look_page", "pair_name", "prepare", "prepare_compare", "read_facts",
           "repaired_warning", "scaffold"]


def _quiet(_message: str) -> None:
    pass


def repaired_warning(prog: str, pdf: object, check: str) -> str:
    """The one line every job says when MuPDF had to repair the file it opened."""
    return f"{prog}: warning: {pdf} was damaged; MuPDF repaired it, {check}"


# --- the note folder ----------------------------------------------------------------------------------------------

scaffold = scaffold_note


def _download(source: str, dest_dir: Path, *, password: str | None = None, timeout_s: float = 60.0,
              max_bytes: int = 200 * MB, retries: int = 3,
              say: Say = _quiet) -> tuple[fetch.DownloadPlan, fetch.ArxivMeta | None, fetch.Download]:
    """SOURCE's PDF into dest_dir, with its arXiv record when it is an arXiv paper: (plan, record, download)."""
    from .io import download, fetch
    if timeout_s <= 0:
        raise UserError("--timeout must be a positive number of seconds")
    if max_bytes <= 0:
        raise UserError("--max-mb must be a positive number")
    if retries < 0:
        raise UserError("--retries must be 0 or more")
    plan = fetch.parse_source(source, fetch.Endpoints.from_env())
    options = fetch.HttpOptions.from_env(timeout_s=timeout_s, max_bytes=max_bytes, retries=retries)

    meta = download.lookup_metadata(plan, options, say) if plan.kind == "arxiv" else None
    if meta is not None:
        plan = plan.with_version(meta.version)  # the PDF of the version the metadata describes
    got = download.download(plan, dest_dir / plan.filename, options, say, password)
    say(f"got a {fetch.human_size(got.bytes)} PDF from {got.final_url}")
    return plan, meta, got


def fetch_paper(source: str, root: Path, *, name: str | None = None, lang: str = "en", mode: str = "full",
                force: bool = False, password: str | None = None, timeout_s: float = 60.0,
                max_bytes: int = 200 * MB, retries: int = 3, say: Say = _quiet,
                keep_open: bool = False) -> dict[str, Any]:
    """Downloads SOURCE (arXiv id or link, OpenReview link, PDF link) into a new note folder, with source.yaml.

    With keep_open the result's "doc" is the downloaded PDF, opened, for the caller's next steps."""
    from .io import download, fetch
    with tempfile.TemporaryDirectory(prefix="aipr-fetch-") as tmp:
        plan, meta, got = _download(source, Path(tmp), password=password, timeout_s=timeout_s, max_bytes=max_bytes,
                                    retries=retries, say=say)
        note = scaffold_note(
            got.path, Path(root), name=name, force=force, lang=lang, mode=mode,
            title=meta.title if meta else None, authors=list(meta.authors) if meta else None,
            password=password,
        )

    folder = Path(note["folder"])
    source_path = folder / download.SOURCE_YAML
    source_state = download.write_source_yaml(source_path, fetch.source_record(plan, got, meta), Path(note["pdf"]),
                                              got.sha256, force=force, say=say)
    result = {
        "folder": str(folder),
        "pdf": str(note["pdf"]),
        "readme": str(note["readme"]),
        "images": str(note["images"]),
        "source_yaml": str(source_path),
        "source_yaml_state": source_state,
        "short_name": note["short_name"],
        "title": note.get("title") or (meta.title if meta else None),
        "authors": note.get("authors") or (list(meta.authors) if meta else []),
        "kind": plan.kind,
        "arxiv_id": plan.arxiv.base if plan.arxiv else None,
        "version": plan.arxiv.version if plan.arxiv else None,
        "pdf_url": got.url,
        "final_url": got.final_url,
        "bytes": got.bytes,
        "sha256": got.sha256,
        "created": note.get("created"),
        "kept": note.get("kept"),
        "label": f"arXiv:{plan.arxiv}" if plan.arxiv else got.url,
    }
    if keep_open:
        result["doc"] = open_pdf(note["pdf"], password)
    return result


# --- figures ------------------------------------------------------------------------------------------------------

def extract_figures(doc: pymupdf.Document, pdf_path: Path, outdir: Path, *, dpi: int = 200,
                    include_uncaptioned: bool = False, force: bool = False, say: Say = _quiet,
                    prog: str = "smart_extract.py", images_dir: Path | None = None) -> dict[str, Any]:
    """Finds every captioned figure and table of doc, renders each to outdir/images/, writes the manifest.

    images_dir (inside outdir) replaces outdir/images/: a comparison keeps paper B's figures in images/b/, and the
    manifest's file paths stay relative to outdir. Returns the manifest's data. Every clash is checked before
    anything is written; the images and the manifest appear together or not at all."""
    images_dir = images_dir if images_dir is not None else outdir / manifest.IMAGES_DIR
    if was_repaired(doc):
        say(repaired_warning(prog, pdf_path, "check the figures"))
    big = doc.page_count >= 20

    def on_page(done: int, total: int) -> None:
        if big and (done % 25 == 0 or done == total):
            say(f"{prog}: read {done}/{total} pages")

    analysis = pipeline.analyse(doc, on_page)
    if analysis.unreadable:
        say(f"{prog}: warning: page(s) {', '.join(map(str, analysis.unreadable))} cannot be read (damaged); "
            "their figures are missing")
    if not analysis.has_text:
        say(f"{prog}: note: {pdf_path} has no text layer (a scanned paper?): no captions can be found"
            + ("" if include_uncaptioned else "; --include-uncaptioned saves its large images"))
    extras = analysis.uncaptioned if include_uncaptioned else []
    if include_uncaptioned and not analysis.has_text:
        extras = [(i, doc[i].rect) for i in range(doc.page_count)]  # a scan: each page is one picture
    planned = manifest.plan(analysis.figures, extras, analysis.displays)

    previous = manifest.read_previous(images_dir, force=force, prog=prog)  # a damaged or foreign one stops here
    kept = {} if force else manifest.keep_hand_fixes(planned, previous, images_dir)  # the user's now
    if kept:
        say(f"{prog}: kept {len(kept)} image(s) changed by hand since {prog} wrote them: {', '.join(kept)} "
            "(pass --force to replace them)")
    overwrite = previous.owned | {manifest.MANIFEST_NAME}
    if force:
        overwrite |= {p.name for p in planned}

    names = [p.name for p in planned if p.name not in kept]
    clashes = [n for n in names if (images_dir / n).exists() and n not in overwrite]
    if clashes:
        raise OutputError(f"{images_dir / clashes[0]} exists and was not written by {prog}; "
                          "pass --force to overwrite it")
    fsutil.ensure_dir(outdir)
    sizes: dict[str, tuple[int, int]] = {}
    hashes: dict[str, str] = {}
    with fsutil.staging_dir(images_dir) as stage:
        by_page: dict[int, list[manifest.Planned]] = {}
        for item in planned:
            if item.name not in kept:
                by_page.setdefault(item.page_index, []).append(item)
        done = 0
        for pno, items in by_page.items():  # one interpretation of a page serves all its figures
            for item, (png, size) in zip(items, render_pngs(doc[pno], [i.rect for i in items], dpi), strict=True):
                (stage / item.name).write_bytes(png)
                sizes[item.name] = size
                hashes[item.name] = manifest.sha256_hex(png)
            done += len(items)
            if big and done // 25 > (done - len(items)) // 25:
                say(f"{prog}: rendered {done}/{len(planned)} images")
        data = manifest.build(pdf_path.name, doc.page_count, dpi, planned, sizes, hashes=hashes, kept=kept)
        _rebase_files(data, images_dir.relative_to(outdir).as_posix())
        (stage / manifest.MANIFEST_NAME).write_text(manifest.dump(data), encoding="utf-8")
        fsutil.publish(stage, images_dir, [*names, manifest.MANIFEST_NAME], overwrite=overwrite | set(names))
    return data


def extract_embedded(doc: pymupdf.Document, pdf_path: Path, outdir: Path, *, min_size_px: int = 64,
                     force: bool = False, say: Say = _quiet, prog: str = "extract_embedded.py") -> list[dict[str, Any]]:
    """Every bitmap embedded in doc, once, as outdir/img_p{page}_{n}.png with outdir/extract_embedded.json."""
    from .figures.embedded import file_names, find_images
    from .io import batch_output

    if was_repaired(doc):
        say(repaired_warning(prog, pdf_path, "check the images"))
    images = find_images(doc, min_size_px, warn=lambda m: say(f"{prog}: warning: {m}"))
    names = file_names(images)
    items = [{"file": n, "page": im.page, "xref": im.xref, "width": im.width_px, "height": im.height_px,
              "bbox": [round(v, 1) for v in im.bbox_pt]} for n, im in zip(names, images, strict=True)]
    batch_output.write_batch(
        outdir, "extract_embedded", "extract_embedded.json", names, lambda i: images[i].pixmap.tobytes("png"),
        lambda: {"pdf": pdf_path.name, "pages": doc.page_count, "min_size_px": min_size_px, "images": items},
        force)
    return items


def extract_vector(doc: pymupdf.Document, pdf_path: Path, outdir: Path, *, pages: str | None = None, dpi: int = 200,
                   min_size_pt: float = 72.0, x_tolerance_pt: float = 8.0, y_tolerance_pt: float = 8.0,
                   force: bool = False, say: Say = _quiet, prog: str = "extract_vector.py") -> list[dict[str, Any]]:
    """Every cluster of vector drawings in doc, with its labels, as outdir/vec_p{page}_{n}.png with
    outdir/extract_vector.json. pages is a page list such as "1,3-5" (default: all)."""
    from .figures.render import render_png
    from .figures.vector import file_names, find_clusters, parse_pages
    from .io import batch_output

    if was_repaired(doc):
        say(repaired_warning(prog, pdf_path, "check the images"))
    try:
        wanted = parse_pages(pages, doc.page_count) if pages else list(range(doc.page_count))
    except ValueError as exc:
        raise UserError(str(exc)) from None
    clusters = []
    for k, pi in enumerate(wanted, 1):
        clusters += find_clusters(doc[pi], min_size_pt, x_tolerance_pt, y_tolerance_pt)
        if len(wanted) >= 25 and (k % 25 == 0 or k == len(wanted)):
            say(f"{prog}: read {k}/{len(wanted)} pages")
    names = file_names(clusters)
    sizes: list[tuple[int, int]] = []

    def make(i: int) -> bytes:
        png, size = render_png(doc[clusters[i].page_index], clusters[i].bbox_pt, dpi)
        sizes.append(size)
        return png

    def items() -> list[dict[str, Any]]:
        return [{"file": n, "page": c.page, "bbox": [round(v, 1) for v in c.bbox_pt],
                 "width": w, "height": h} for n, c, (w, h) in zip(names, clusters, sizes, strict=True)]

    batch_output.write_batch(outdir, "extract_vector", "extract_vector.json", names, make, lambda: {
        "pdf": pdf_path.name, "pages": doc.page_count, "dpi": dpi, "images": items()}, force)
    return items()


def _rebase_files(data: dict[str, Any], rel: str) -> None:
    """The manifest's 'images/x.png' paths as rel/x.png, for images kept elsewhere than images/."""
    if rel == manifest.IMAGES_DIR:
        return
    for key in ("figures", "tables", "uncaptioned", "equations", "algorithms"):
        for item in data.get(key) or []:
            item["file"] = f"{rel}/{Path(item['file']).name}"


# --- looking at a page and fixing a crop by hand ------------------------------------------------------------------

def crop_figure(doc: pymupdf.Document, pdf_path: Path, page_number: int, box: tuple[float, float, float, float],
                out: Path, *, dpi: int = 200, force: bool = False, say: Say = _quiet,
                prog: str = "crop_figure.py") -> dict[str, Any]:
    """Renders box (x0, y0, x1, y1, displayed-page points) of page page_number to the PNG out.

    When the manifest beside out lists it, its entry takes the new page, box, size and hash and is marked
    hand_fixed, so a re-run of smart_extract.py keeps the crop."""
    out = Path(out)
    if out.suffix.lower() != ".png":
        raise UserError(f"{out}: the output must be a .png file")
    x0, y0, x1, y1 = box
    if x1 <= x0 or y1 <= y0:
        raise UserError(f"the region ({x0:g}, {y0:g}, {x1:g}, {y1:g}) is empty: x1 must exceed x0 and y1 "
                        "must exceed y0 (the order is X0 Y0 X1 Y1, top left then bottom right)")
    if out.is_dir():
        raise OutputError(f"{out} is a folder; give the PNG file's path")
    if was_repaired(doc):
        say(repaired_warning(prog, pdf_path, "check the crop"))
    page = doc[page_index(doc, page_number)]
    asked = pymupdf.Rect(box)
    rect = clip_rect(page, asked)
    if reaches_past(page, asked):
        say(f"{prog}: note: the region reaches past page {page_number} ({page.rect.width:g} x "
            f"{page.rect.height:g} pt); cut to ({rect.x0:g}, {rect.y0:g}, {rect.x1:g}, {rect.y1:g})")
    png, (w, h) = render_png(page, rect, dpi)
    same = out.is_file() and out.read_bytes() == png  # a re-run with the same arguments changes nothing
    if out.exists() and not same and not force:
        raise OutputError(f"{out} already exists; pass --force to overwrite it")

    listing = out.parent / manifest.MANIFEST_NAME  # everything is decided before the first write
    data = entry = None
    if listing.is_file():
        try:
            data = manifest.load(listing)
        except OutputError:
            say(f"{prog}: warning: {listing} is damaged or not smart_extract.py's, so this crop is not recorded "
                "in it")
        if data is not None:
            entry = manifest.record_hand_fix(data, out.name, page_number, list(rect), (w, h),
                                             manifest.sha256_hex(png))
    if not same:
        fsutil.atomic_write_bytes(out, png, overwrite=True)
    if data is not None and entry is not None:
        fsutil.atomic_write_text(listing, manifest.dump(data), overwrite=True)
        say(f"{prog}: recorded in {listing}: {entry.get('label') or out.name} is now page {page_number}, "
            f"bbox {entry['bbox']}, hand_fixed (re-runs keep it; their --force replaces it)")
    return {"file": str(out), "page": page_number, "bbox": [round(v, 2) for v in rect], "dpi": dpi,
            "width": w, "height": h, "manifest": str(listing) if entry is not None else None,
            "label": entry.get("label") if entry is not None else None}


def look_page(doc: pymupdf.Document, pdf_path: Path, page_number: int, *, out: Path | None = None,
              clip: tuple[float, float, float, float] | None = None, dpi: int = 150, grid: bool = False,
              boxes: bool = True, force: bool = False, say: Say = _quiet, prog: str = "look_page.py") -> dict[str, Any]:
    """Renders page page_number (or the region clip of it) with rulers in PDF points, a grid with grid, and the
    boxes images/figures.yaml lists there when the PDF sits in a note folder; writes the PNG to out (default
    look_p{N}.png beside the PDF) and returns what is in the region: text lines, rules and images, with coordinates.

    A file at out that this job did not write is replaced only with force."""
    from .figures import look
    if out is not None and Path(out).suffix.lower() != ".png":
        raise UserError(f"{out}: the output must be a .png file")
    if clip is not None and (clip[2] <= clip[0] or clip[3] <= clip[1]):
        raise UserError(f"--clip ({', '.join(f'{v:g}' for v in clip)}) is empty: X1 must exceed X0 and Y1 must "
                        "exceed Y0 (the order is X0 Y0 X1 Y1, top left then bottom right)")
    if was_repaired(doc):
        say(repaired_warning(prog, pdf_path, "check what you see"))
    page = doc[page_index(doc, page_number)]
    region = page.rect if clip is None else clip_rect(page, pymupdf.Rect(clip))
    if clip is not None and reaches_past(page, pymupdf.Rect(clip)):
        say(f"{prog}: note: --clip reaches past page {page_number} ({page.rect.width:g} x {page.rect.height:g} pt); "
            f"cut to ({region.x0:g}, {region.y0:g}, {region.x1:g}, {region.y1:g})")
    target = Path(out) if out is not None else look.default_out(pdf_path, page_number,
                                                                None if clip is None else region)
    if target.is_dir():
        raise OutputError(f"{target} is a folder; give the PNG file's path")
    if target.exists() and not force and not look.is_ours(target):
        raise OutputError(f"{target} exists and was not written by {prog}; pass --force to overwrite it")
    drawn: list[look.Box] = []
    if boxes:
        drawn, problem = look.manifest_boxes(pdf_path, page_number)
        if problem:
            say(f"{prog}: warning: {problem}")
    png, (w, h) = look.draw(page, region, dpi, grid=grid, boxes=drawn)
    fsutil.atomic_write_bytes(target, png, overwrite=True)
    major, minor = look.grid_steps(dpi)
    return {
        "png": str(target), "pdf": str(pdf_path), "page": page_number, "pages": doc.page_count,
        "page_size_pt": [round(page.rect.width, 1), round(page.rect.height, 1)],
        "region": [round(v, 1) for v in region], "dpi": dpi, "size_px": [w, h],
        "ticks_pt": major, "grid_pt": minor if grid else None,
        "manifest": str(look.manifest_path(pdf_path)) if drawn else None,
        "boxes": [b.as_dict() for b in drawn if not (b.bbox_pt & region).is_empty],
        "lines": look.text_lines(page, region), "rules": look.rules(page, region),
        "images": look.images(page, region),
    }


# --- facts --------------------------------------------------------------------------------------------------------

MANIFEST = Path(manifest.IMAGES_DIR) / manifest.MANIFEST_NAME


def _load_items(folder: Path, doc: pymupdf.Document, say: Say, prog: str, data: dict[str, Any] | None,
                manifest_path: Path | None = None) -> tuple[list[TableItem], list[dict[str, Any]], str]:
    """(figures and tables with their boxes, the manifest's figure/table list for paper.yaml, where from); data is
    the manifest as read (None: there is none), manifest_path where it was read from."""
    path = manifest_path if manifest_path is not None else folder / MANIFEST
    items = items_from_manifest(data)
    if items is not None:
        listed = [{"label": it.name, "kind": it.kind, "number": it.number, "page": it.page, "file": it.file,
                   "caption": it.caption} for it in items]
        return items, listed, str(MANIFEST) if manifest_path is None else os.path.relpath(path, folder)
    try:
        items = items_from_figure_engine(doc)
    except Exception as exc:  # noqa: BLE001 -- the figure engine failing must not cost the paper's facts; say so
        say(f"{prog}: warning: the figure engine failed on this PDF ({type(exc).__name__}: {exc}); "
            "run smart_extract.py first so images/figures.yaml lists the tables")
        return [], [], "none (the figure engine failed: tables skipped)"
    if items is None:
        return [], [], "none (paperkit.pipeline is not available: tables skipped)"
    return items, [], "figure engine (no images/figures.yaml yet)"


def _pointer(it: TableItem) -> str:
    if it.kind == "table":
        return f"[{it.name}: cells in tables/{it.filename}]"
    return f"[{it.name}: {it.file}]" if it.file else f"[{it.name}]"


def read_facts(doc: pymupdf.Document, pdf_path: Path, folder: Path, *, force: bool = False, layout: bool = False,
               say: Say = _quiet, prog: str = "paper_info.py", manifest_path: Path | None = None) -> dict[str, Any]:
    """Reads doc's facts into folder: paper.yaml, paper.md and tables/tabN.md. Returns the facts' summary.

    manifest_path replaces folder/images/figures.yaml (paper B of a comparison: images/b/figures.yaml).
    A scanned PDF (no text layer) gets a paper.yaml with its page count, then a UserError."""
    t0 = time.perf_counter()
    fsutil.ensure_dir(folder)
    if was_repaired(doc):
        say(repaired_warning(prog, pdf_path, "check the results"))
    source = record.read_source_yaml(folder)

    yaml_path, md_path, tables_dir = folder / "paper.yaml", folder / "paper.md", folder / "tables"
    record.check_overwrite([yaml_path], force, record.ours_yaml, prog)

    if not any(page_lines(doc[i]) for i in range(min(6, doc.page_count))):  # has_text_layer, from the lines read
        info: dict[str, Any] = {"generator": record.GENERATOR, "pdf": pdf_path.name, "text_layer": False,
                                "title": (doc.metadata or {}).get("title") or "", "pages": doc.page_count}
        info["from_source_yaml"] = record.apply_source(info, source)
        record.keep_edits(yaml_path, info, force)
        fsutil.atomic_write_text(yaml_path, record.dump_yaml(info), overwrite=True)
        raise UserError(f"{pdf_path} has no text layer (a scanned paper): nothing to read; wrote {yaml_path} with "
                        "the page count only. Run OCR first (e.g. ocrmypdf in.pdf out.pdf) and run this again")

    record.check_overwrite([md_path], force, record.ours_md, prog)
    pages = [page_lines(p) for p in doc]
    rects = [p.rect for p in doc]
    margins = page_margins(pages, rects)
    body = body_font_size(doc)
    vocab = set().union(*(page_vocabulary(p) for p in doc))
    meta = read_metadata(doc)
    say(f"{prog}: read the first page: \"{meta['title'][:70]}\"")

    manifest_data = yamlio.load_mapping(manifest_path if manifest_path is not None else folder / MANIFEST)
    items, listed, table_source = _load_items(folder, doc, say, prog, manifest_data, manifest_path)
    tables = [it for it in items if it.kind == "table" and 1 <= it.page <= doc.page_count]
    skip: dict[int, list[Any]] = {}
    for it in items:
        skip.setdefault(it.page - 1, []).append(it.rect)
    title_rects, _ = front_matter(doc)
    outline = build_outline(doc, pages, margins, body, skip)
    references = count_references(pages, margins, rects, outline)

    # tables first: pymupdf4llm un-rotates rotated pages of the document it reads
    table_files: dict[str, str] = {}
    for t in tables:
        page = doc[t.page - 1]
        table_files[t.filename] = table_markdown(page, t)  # the box's text is read once
    if not tables and table_source.startswith("none (paperkit"):
        say(f"{prog}: note: tables skipped: no images/figures.yaml and the figure engine is not available")

    def on_page(done: int, total: int) -> None:
        if total >= 20 and (done % 20 == 0 or done == total):
            say(f"{prog}: text of {done}/{total} pages")

    regions = [(it.page - 1, it.rect, _pointer(it)) for it in items]
    displays = read_displays(manifest_data)  # eqN.png, algN.png
    text = convert(doc, pages, margins, outline, title_rects, vocab, layout=layout, regions=regions,
                   title=meta["title"], progress=on_page, displays=displays)

    info = {"generator": record.GENERATOR, "pdf": pdf_path.name, **meta}
    taken = record.apply_source(info, source)
    info.update({
        "keywords": meta["keywords"],
        "pages": doc.page_count,
        "words": text.word_count(),
        "references": references,
        "outline": [h.as_dict() for h in outline],
        "figures": listed,
        "tables": [{"number": t.number, "page": t.page, "file": f"tables/{t.filename}",
                    "caption": t.caption} for t in tables if t.filename in table_files],
        "tables_from": table_source,
        "text_engine": text.engine,
        "from_source_yaml": taken,
    })

    # everything is computed: check every clash, then write (paper.yaml last, it indexes the rest)
    kept = record.keep_edits(yaml_path, info, force)  # fields the user edited stay theirs
    if kept:
        say(f"{prog}: kept your edits to {yaml_path}: {', '.join(kept)} (pass --force to replace them)")
    stale = []
    hand: list[Path] = []  # files of ours edited by hand since: kept, like edited paper.yaml fields (not with force)
    if tables_dir.is_dir():
        for f in sorted(tables_dir.glob("tab*.md")):
            if f.name in table_files:
                if not is_ours(f) and not force:
                    raise OutputError(f"{f} exists and was not written by {prog}; pass --force to overwrite it")
                if not force and record.edited_by_hand(f):
                    hand.append(f)
            elif is_ours(f):
                (hand if not force and record.edited_by_hand(f) else stale).append(f)
    if not force and md_path.is_file() and record.edited_by_hand(md_path):
        hand.append(md_path)
    if hand:
        say(f"{prog}: kept your edits to {', '.join(os.path.relpath(f, folder) for f in hand)} (pass --force to "
            "replace them)")
    if md_path not in hand:
        fsutil.atomic_write_text(md_path, text.markdown(pdf_path.name), overwrite=True)
    for name, content in table_files.items():
        if tables_dir / name not in hand:
            fsutil.atomic_write_text(tables_dir / name, content, overwrite=True)
    for f in stale:
        f.unlink()
    fsutil.atomic_write_text(yaml_path, record.dump_yaml(info), overwrite=True)

    return {
        "folder": str(folder), "paper_yaml": str(yaml_path), "paper_md": str(md_path),
        "tables": [str(tables_dir / n) for n in table_files],
        "kept_edits": [str(f) for f in hand] + [f"{yaml_path}: {k}" for k in kept],
        "title": info["title"], "authors": info["authors"], "venue": info["venue"], "year": info["year"],
        "arxiv_id": info["arxiv_id"], "arxiv_version": info["arxiv_version"], "doi": info["doi"],
        "pages": doc.page_count, "words": info["words"], "references": references,
        "sections": sum(1 for h in outline if h.level == 1), "from_source_yaml": taken,
        "seconds": round(time.perf_counter() - t0, 2),
    }


# --- the note checker and export (imported when called) -----------------------------------------------------------

def check_note(note: Path, **kwargs: Any) -> dict[str, Any]:
    """The note checker's findings on NOTE (a README.md or its folder): see note/notecheck.check_note."""
    from .note.notecheck import check_note as check

    return check(note, **kwargs)


def export_note(note_dir: Path, to: str, out: Path | None = None, **kwargs: Any) -> Any:
    """The note as HTML, a zip or an Obsidian folder: see note/export.export_note."""
    from .note.export import export_note as export

    return export(note_dir, to, out, **kwargs)


# --- all of it ----------------------------------------------------------------------------------------------------

def is_remote(source: str) -> bool:
    """Whether SOURCE names a paper to download (an arXiv id or a link) rather than a file here."""
    from .io import fetch
    return not Path(source).expanduser().exists() and fetch.looks_remote(source)


def prepare(source: str, root: Path, *, name: str | None = None, lang: str = "en", mode: str = "full",
            dpi: int = 200, force: bool = False, password: str | None = None, say: Say = _quiet,
            prog: str = "prepare_paper.py", source_b: str | None = None) -> dict[str, Any]:
    """A paper to a note folder ready for writing: scaffold (or download), figures, facts, on one opened PDF.

    With source_b (mode compare) the two papers go to one comparison folder: prepare_compare."""
    if source_b is not None:
        if mode != "compare":
            raise UserError(f"two papers make a comparison, not a {mode} note; pass --mode compare")
        return prepare_compare(source, source_b, root, name=name, lang=lang, dpi=dpi, force=force,
                               password=password, say=say, prog=prog)
    if mode == "compare":  # one paper's folder with a comparison's README is the half-made note to avoid
        raise UserError("--mode compare needs both papers in one command: prepare_paper.py SOURCE_A SOURCE_B "
                        "--mode compare")
    if is_remote(source):
        say(f"{prog}: downloading {source}")
        note = fetch_paper(source, root, name=name, lang=lang, mode=mode, force=force, password=password, say=say,
                           keep_open=True)
        doc = note.pop("doc")
    else:
        src = Path(source).expanduser()
        doc = open_pdf(src, password)
        note = scaffold_note(src, root, name=name, force=force, lang=lang, mode=mode, password=password, doc=doc)
        if note.get("repaired"):
            say(repaired_warning("scaffold_dir.py", src, "check the paper reads right"))
        for path in note["kept"]:
            say(f"scaffold_dir.py: kept the existing {path} (pass --force to replace it)")
    try:
        folder = Path(note["folder"])
        pdf = folder / "paper.pdf"
        say(f"{prog}: finding figures and tables in {pdf}")
        figures = extract_figures(doc, pdf, folder, dpi=dpi, force=force, say=say, prog="smart_extract.py")
        say(f"{prog}: reading the paper's facts and text")
        info = read_facts(doc, pdf, folder, force=force, say=say, prog="paper_info.py")
    finally:
        doc.close()
    return {
        "folder": str(folder),
        "readme": str(folder / "README.md"),
        "paper_yaml": str(folder / "paper.yaml"),
        "paper_md": str(folder / "paper.md"),
        "manifest": str(folder / MANIFEST),
        "title": note.get("title") or info.get("title"),
        "authors": note.get("authors") or info.get("authors"),
        "figures": len(figures.get("figures", [])),
        "tables": len(figures.get("tables", [])),
    }



# --- two papers to compare ----------------------------------------------------------------------------------------

PAIR_SIDE_MAX = 23  # each paper's part of a comparison's folder name: both and '-vs-' fit naming.MAX_SHORT_NAME
_NO_LAST_WORD = {"a", "an", "the", "of", "and", "or", "for", "in", "on", "to", "with", "by", "from", "at", "as",
                 "is", "are", "be", "via", "using", "can", "do", "does"}


@dataclass
class _Side:
    """One paper of a comparison, checked and on this machine (a download waits in a temporary folder)."""

    label: str  # "A" or "B"
    path: Path
    doc: pymupdf.Document
    sha256: str
    facts: dict[str, Any]  # as the first page prints them
    title: str
    authors: list[str]
    arxiv_id: str
    record: dict[str, Any] | None  # source.yaml's record for a download


@contextlib.contextmanager
def _about(label: str) -> Iterator[None]:
    """Says which paper a failure is about: 'paper B: ...'."""
    try:
        yield
    except UserError as exc:
        exc.args = (f"paper {label}: {exc}",)
        raise


def pair_name(title_a: str, title_b: str) -> str:
    """A comparison's folder: each paper's short name, cut to fit, joined by -vs- ('bert4rec-vs-self-attentive')."""
    def side(title: str) -> str:
        words = short_name(title).split("-")
        while len(words) > 1 and words[0] in ("a", "an", "the"):
            words.pop(0)
        words = slugify("-".join(words), max_len=PAIR_SIDE_MAX).split("-")
        while len(words) > 1 and words[-1] in _NO_LAST_WORD:  # 'language-models-are' -> 'language-models'
            words.pop()
        return "-".join(words)

    return "-vs-".join(side(t) for t in (title_a, title_b))


def _plan_or_file(source: str) -> fetch.DownloadPlan | Path:
    """What a source is, checked without the network: a PDF here, or something to download."""
    from .io import fetch
    if is_remote(source):
        return fetch.parse_source(source, fetch.Endpoints.from_env())
    return check_pdf_path(Path(source).expanduser())


def _same_source(a: fetch.DownloadPlan | Path, b: fetch.DownloadPlan | Path) -> str | None:
    from .io import fetch
    if isinstance(a, Path) and isinstance(b, Path):
        return f"both are the file {a}" if os.path.samefile(a, b) else None
    if isinstance(a, fetch.DownloadPlan) and isinstance(b, fetch.DownloadPlan):
        if a.arxiv and b.arxiv and a.arxiv.base == b.arxiv.base:
            return f"both name arXiv paper {a.arxiv.base}"
        if a.pdf_url == b.pdf_url:
            return f"both are {a.pdf_url}"
    return None


def _obtain(label: str, source: str, plan: fetch.DownloadPlan | Path, tmp: Path, *, password: str | None,
            say: Say, prog: str) -> _Side:
    """The paper on this machine and opened: a file as it is, a link or arXiv id downloaded into tmp."""
    from .io import download, fetch
    meta = record_ = None
    if isinstance(plan, Path):
        path = plan
    else:
        say(f"{prog}: downloading paper {label}: {source}")
        dest = fsutil.ensure_dir(tmp / label)
        plan, meta, got = _download(source, dest, password=password, say=say)
        path, record_ = got.path, fetch.source_record(plan, got, meta)
    doc = open_pdf(path, password)
    try:
        if not has_text_layer(doc):
            raise UserError(f"{path} has no text layer (a scanned paper): run OCR first (e.g. ocrmypdf in.pdf "
                            "out.pdf) and run this again")
        if was_repaired(doc):
            say(repaired_warning(prog, path, f"check that paper {label} reads right"))
        facts = paper_facts(path, password, doc)
    except BaseException:
        doc.close()
        raise
    arxiv = plan.arxiv.base if isinstance(plan, fetch.DownloadPlan) and plan.arxiv else facts.get("arxiv_id")
    return _Side(label, path, doc, download.sha256_of(path), facts,
                 (meta.title if meta else "") or str(facts.get("title") or "").strip() or path.stem,
                 list(meta.authors) if meta else [a for a in facts.get("authors") or [] if a],
                 str(arxiv or ""), record_)


def _same_paper(a: _Side, b: _Side) -> str | None:
    if a.sha256 == b.sha256:
        return "the two PDFs are identical"
    if a.arxiv_id and a.arxiv_id == b.arxiv_id:
        return f"both are arXiv paper {a.arxiv_id}"
    return None


@contextlib.contextmanager
def _undo_on_failure(folder: Path) -> Iterator[None]:
    """On any failure, removes what this run added under folder (all of it, and its new parents, if it is new)."""
    new = [p for p in (folder, *folder.parents) if not p.exists()]
    before = set(folder.rglob("*")) if folder.exists() else set()
    try:
        yield
    except BaseException:
        if new:
            shutil.rmtree(folder, ignore_errors=True)
            for parent in new[1:]:
                with contextlib.suppress(OSError):
                    parent.rmdir()  # only when empty: another run may have written there meanwhile
        else:
            for p in sorted(set(folder.rglob("*")) - before, key=lambda p: len(p.parts), reverse=True):
                if p.is_dir() and not p.is_symlink():
                    shutil.rmtree(p, ignore_errors=True)
                else:
                    p.unlink(missing_ok=True)
        raise


def _check_kept_pdf(side: _Side, dest: Path, force: bool) -> None:
    """A PDF of another paper already at dest (a reused --name) must not be read as this one."""
    from .io import download
    if force or not dest.is_file() or download.sha256_of(dest) == side.sha256:
        return
    there = " ".join(str(paper_facts(dest).get("title") or "").lower().split())
    if there != " ".join(side.title.lower().split()):
        raise OutputError(f"{dest} holds another paper than paper {side.label}; give this comparison its own "
                          "folder with --name, or pass --force to replace it")


def prepare_compare(source_a: str, source_b: str, root: Path, *, name: str | None = None, lang: str = "en",
                    dpi: int = 200, force: bool = False, password: str | None = None, say: Say = _quiet,
                    prog: str = "prepare_paper.py") -> dict[str, Any]:
    """Two papers to one comparison note folder: A as prepare() does it, B's files in b/, its figures in images/b/.

    Both sources are checked (and downloaded into a temporary folder) before the first write; a failure while
    writing removes what this run added, so nothing half-made is left. One README.md, from the compare template,
    with both papers' headers filled in."""
    from .io import download
    if name is not None and not name.strip():
        raise UserError("--name is empty; give a short name such as bert4rec-vs-sasrec")
    plans = []
    for label, source in (("A", source_a), ("B", source_b)):
        with _about(label):
            plans.append(_plan_or_file(source))
    same = _same_source(*plans)
    if same:
        raise UserError(f"paper A and paper B are the same paper ({same}); give two different papers")
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="aipr-fetch-")))
        sides = []
        for label, source, plan in (("A", source_a, plans[0]), ("B", source_b, plans[1])):
            with _about(label):
                side = _obtain(label, source, plan, tmp, password=password, say=say, prog=prog)
            stack.callback(side.doc.close)
            sides.append(side)
        a, b = sides
        same = _same_paper(a, b)
        if same:
            raise UserError(f"paper A and paper B are the same paper ({same}); give two different papers")

        short = slugify(name) if name is not None else pair_name(a.title, b.title)
        folder = Path(root) / short
        b_dir = folder / B_DIR
        b_pdf, b_images = b_dir / PDF_NAME, folder / manifest.IMAGES_DIR / B_DIR
        with _about("A"):
            _check_kept_pdf(a, folder / PDF_NAME, force)
        with _about("B"):
            _check_kept_pdf(b, b_pdf, force)
        with _undo_on_failure(folder):
            note = scaffold_note(a.path, Path(root), name=short, force=force, lang=lang, mode="compare",
                                 title=a.title, authors=a.authors, password=password, doc=a.doc,
                                 values_b=values_of_b({**b.facts, "arxiv_id": b.arxiv_id}, b.title, b.authors))
            for path in note["kept"]:
                say(f"scaffold_dir.py: kept the existing {path} (pass --force to replace it)")
            fsutil.ensure_dir(b_dir)
            if b_pdf.exists() and not force:
                say(f"{prog}: kept the existing {b_pdf} (pass --force to replace it)")
            else:
                fsutil.atomic_copy(b.path, b_pdf, overwrite=True)
            for side, pdf in ((a, folder / PDF_NAME), (b, b_pdf)):
                if side.record is not None:
                    download.write_source_yaml(pdf.parent / download.SOURCE_YAML, side.record, pdf, side.sha256,
                                               force=force, say=say)
            out: dict[str, Any] = {}
            for side, pdf, facts_dir, images in ((a, folder / PDF_NAME, folder, folder / manifest.IMAGES_DIR),
                                                 (b, b_pdf, b_dir, b_images)):
                with _about(side.label):
                    say(f"{prog}: finding figures and tables of paper {side.label} in {pdf}")
                    figures = extract_figures(side.doc, pdf, folder, dpi=dpi, force=force, say=say,
                                              prog="smart_extract.py", images_dir=images)
                    say(f"{prog}: reading the facts and text of paper {side.label}")
                    info = read_facts(side.doc, pdf, facts_dir, force=force, say=say, prog="paper_info.py",
                                      manifest_path=images / manifest.MANIFEST_NAME)
                out[side.label] = {
                    "title": side.title or info.get("title"), "authors": side.authors or info.get("authors"),
                    "pdf": str(pdf), "paper_yaml": str(facts_dir / "paper.yaml"),
                    "paper_md": str(facts_dir / "paper.md"), "manifest": str(images / manifest.MANIFEST_NAME),
                    "figures": len(figures.get("figures", [])), "tables": len(figures.get("tables", [])),
                }
    return {"folder": str(folder), "readme": str(folder / README), "mode": "compare", **out["A"], "b": out["B"]}
