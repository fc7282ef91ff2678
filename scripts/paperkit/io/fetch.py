"""Getting a paper from where users point at it: an arXiv id or link, an OpenReview link, or any link to a PDF.

Three stages, each a function with one data type in and one out:
  parse_source(text)          -> DownloadPlan   (no network: which PDF to get, and the arXiv id if there is one)
  fetch_arxiv_metadata(plan)  -> ArxivMeta      (the arXiv API's Atom feed: title, authors, abstract, ...)
  download_pdf(url, dest)     -> Download       (urllib with timeouts, bounded retries, a size limit, PDF checks)

The servers can be replaced for tests (tests never touch the internet) by the Endpoints fields or the environment:
AIPR_ARXIV_API, AIPR_ARXIV_PDF_BASE, AIPR_OPENREVIEW_BASE; AIPR_HTTP_BACKOFF sets the first
retry delay in seconds.
"""
from __future__ import annotations

import contextlib
import email.utils
import errno
import hashlib
import http.client
import os
import re
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from xml.parsers import expat

from .errors import NetworkError, UserError
from .filetype import is_pdf_head, what_is

TOOL_VERSION = "0.1.0"
USER_AGENT = f"ai-paper-reader/{TOOL_VERSION} (fetch_paper.py; Python urllib)"
MB = 1024 * 1024

DEFAULT_ARXIV_API = "https://export.arxiv.org/api/query"
DEFAULT_ARXIV_PDF_BASE = "https://arxiv.org/pdf"
DEFAULT_ARXIV_ABS_BASE = "https://arxiv.org/abs"
DEFAULT_OPENREVIEW_BASE = "https://openreview.net"

ARXIV_HOSTS = {"arxiv.org", "export.arxiv.org", "browse.arxiv.org"}
OPENREVIEW_HOSTS = {"openreview.net"}
# Pages that name an arXiv paper by its id: huggingface.co/papers/ID, alphaxiv.org/abs/ID, doi.org/10.48550/arXiv.ID
MIRROR_HOSTS = {"huggingface.co": ("papers",), "alphaxiv.org": ("abs", "overview", "pdf")}

# The archives of old-style ids (before April 2007), e.g. hep-th/9901001, math.GT/0309136.
OLD_ARCHIVES = {
    "acc-phys", "adap-org", "alg-geom", "ao-sci", "astro-ph", "atom-ph", "bayes-an", "chao-dyn", "chem-ph", "cmp-lg",
    "comp-gas", "cond-mat", "cs", "dg-ga", "funct-an", "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math",
    "math-ph", "mtrl-th", "nlin", "nucl-ex", "nucl-th", "patt-sol", "physics", "plasm-ph", "q-alg", "q-bio",
    "quant-ph", "solv-int", "supr-con",
}
_ID = (
    r"(?:(?P<new>(?P<yymm>\d{4})\.(?P<num>\d{4,5}))"
    r"|(?P<old>(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.(?P<subject>[A-Za-z]{2}(?:-[a-z]+)?|[a-z]+(?:-[a-z]+)?))?"
    r"/(?P<oldnum>\d{7})))"
    r"(?:v(?P<version>[1-9]\d{0,2}))?"
)
_ID_RE = re.compile(_ID)
_ID_FULL_RE = re.compile(_ID + r"$")
_OPENREVIEW_ID_RE = re.compile(r"[A-Za-z0-9_-]{4,64}$")

ACCEPTED_PDF_TYPES = {
    "", "application/pdf", "application/x-pdf", "application/octet-stream", "binary/octet-stream",
    "application/force-download", "application/download", "application/x-download",
}
RETRY_STATUSES = {408, 425, 429, 500, 502, 503, 504}


class HttpStatusError(NetworkError):
    """The server answered with an HTTP error status (after retries, where retrying made sense)."""

    def __init__(self, message: str, status: int, url: str) -> None:
        super().__init__(message)
        self.status = status
        self.url = url


class OfflineError(NetworkError):
    """The host name does not resolve or the network is unreachable: most likely there is no connection."""


# ---------------------------------------------------------------------------------------------------------------
# parse_source: SOURCE -> DownloadPlan (no network)


@dataclass(frozen=True)
class Endpoints:
    """Where arXiv and OpenReview live; tests point these at a local server."""

    arxiv_api: str = DEFAULT_ARXIV_API
    arxiv_pdf_base: str = DEFAULT_ARXIV_PDF_BASE
    openreview_base: str = DEFAULT_OPENREVIEW_BASE

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Endpoints:
        env = os.environ if environ is None else environ

        def pick(name: str, default: str) -> str:
            return (env.get(name) or default).rstrip("/")

        return cls(
            arxiv_api=pick("AIPR_ARXIV_API", DEFAULT_ARXIV_API),
            arxiv_pdf_base=pick("AIPR_ARXIV_PDF_BASE", DEFAULT_ARXIV_PDF_BASE),
            openreview_base=pick("AIPR_OPENREVIEW_BASE", DEFAULT_OPENREVIEW_BASE),
        )


@dataclass(frozen=True)
class ArxivId:
    """A canonical arXiv identifier: '2402.17152' or 'math/0309136' (the old subject class dropped), and 'v2'."""

    base: str
    version: str | None = None

    @property
    def versioned(self) -> str:
        return self.base + (self.version or "")

    def __str__(self) -> str:
        return self.versioned


@dataclass(frozen=True)
class DownloadPlan:
    """What to download for a SOURCE the user gave; kind is 'arxiv', 'openreview' or 'url'."""

    source: str
    kind: str
    pdf_url: str
    filename: str  # a safe file name for the downloaded PDF, e.g. 2402.17152v2.pdf
    arxiv: ArxivId | None = None
    openreview_id: str | None = None
    endpoints: Endpoints = field(default_factory=Endpoints)

    @property
    def api_url(self) -> str | None:
        """The arXiv API query for this paper's metadata (None for other kinds)."""
        if self.arxiv is None:
            return None
        return f"{self.endpoints.arxiv_api}?id_list={urllib.parse.quote(self.arxiv.versioned, safe='/')}"

    def with_version(self, version: str | None) -> DownloadPlan:
        """The same arXiv paper pinned to a version, so the PDF matches the metadata fetched for it."""
        if self.arxiv is None or not version or self.arxiv.version == version:
            return self
        return _arxiv_plan(self.source, ArxivId(self.arxiv.base, version), self.endpoints)


SOURCE_HINT = (
    "give an arXiv id (2402.17152, arXiv:1706.03762v5, cs/0112017), an arXiv or OpenReview link, "
    "or an http(s) link to a PDF"
)


def parse_arxiv_id(text: str) -> ArxivId | None:
    """'arXiv:2402.17152v2' -> ArxivId('2402.17152', 'v2'); 'math.GT/0309136' -> ArxivId('math/0309136'); else None."""
    t = text.strip()
    t = re.sub(r"^arxiv\s*:\s*", "", t, flags=re.IGNORECASE)
    m = _ID_FULL_RE.match(t)
    return _arxiv_id_from_match(m) if m else None


def _arxiv_id_from_match(m: re.Match[str]) -> ArxivId | None:
    version = f"v{m['version']}" if m["version"] else None
    if m["new"]:
        yymm = m["yymm"]
        yy, mm = int(yymm[:2]), int(yymm[2:])
        # 4-digit numbers ran from 0704 to 1412, 5-digit numbers since 1501.
        if not 1 <= mm <= 12 or yymm < "0704" or (len(m["num"]) == 4) != (yymm <= "1412") or yy > 90:
            return None
        return ArxivId(m["new"], version)
    archive, num = m["archive"], m["oldnum"]
    yy, mm = int(num[:2]), int(num[2:4])
    if archive not in OLD_ARCHIVES or not 1 <= mm <= 12 or not (yy >= 91 or yy <= 7):
        return None
    return ArxivId(f"{archive}/{num}", version)


def _arxiv_plan(source: str, aid: ArxivId, endpoints: Endpoints) -> DownloadPlan:
    return DownloadPlan(
        source=source,
        kind="arxiv",
        pdf_url=f"{endpoints.arxiv_pdf_base}/{aid.versioned}",
        filename=aid.versioned.replace("/", "_") + ".pdf",
        arxiv=aid,
        endpoints=endpoints,
    )


def _id_at_start(path_rest: str) -> ArxivId | None:
    """The arXiv id that a link's path continues with: '2402.17152v2.pdf', 'cs/0112017v1', '2402.17152v1/x1.png'."""
    m = _ID_RE.match(path_rest)
    if not m:
        return None
    tail = path_rest[m.end():]
    if tail.lower().startswith(".pdf"):
        tail = tail[4:]
    if tail and not tail.startswith("/"):
        return None
    return _arxiv_id_from_match(m)


_REMOTE_RE = re.compile(r"^(https?://|arxiv:|\d{4}\.\d{4,5}(v\d+)?$|[a-z-]+(\.[A-Z]{2})?/\d{7}(v\d+)?$)", re.I)


def looks_remote(source: str) -> bool:
    """Whether SOURCE is written like an arXiv id or a link (and so names a paper to download, not a file)."""
    return bool(_REMOTE_RE.match(source))


def parse_source(source: str, endpoints: Endpoints | None = None) -> DownloadPlan:
    """Turns what the user pasted into a download plan, or raises UserError saying what is accepted."""
    ep = endpoints or Endpoints.from_env()
    text = source.strip().strip("<>\"'")
    if not text:
        raise UserError(f"SOURCE is empty: {SOURCE_HINT}")
    aid = parse_arxiv_id(text)
    if aid:
        return _arxiv_plan(source, aid, ep)
    doi = re.match(r"^(?:doi:\s*)?10\.48550/arxiv\.(.+)$", text, flags=re.IGNORECASE)
    if doi and (aid := parse_arxiv_id(doi[1])):
        return _arxiv_plan(source, aid, ep)

    if "://" not in text:
        host_guess = text.split("/", 1)[0].lower().removeprefix("www.")
        if host_guess in ARXIV_HOSTS | OPENREVIEW_HOSTS | set(MIRROR_HOSTS) | {"doi.org", "dx.doi.org"}:
            text = "https://" + text
        elif re.fullmatch(r"[\w.-]+\.[a-z]{2,}/\S*", text, flags=re.IGNORECASE) and " " not in text:
            text = "https://" + text  # a bare host/path such as example.org/paper.pdf
        else:
            if re.fullmatch(r"(?i:arxiv\s*:\s*)?\d{4}\.\d+(v\d+)?", text):
                raise UserError(f"{text} is not a valid arXiv id: ids are YYMM.NNNNN since 2015 (2402.17152) "
                                "and YYMM.NNNN from 2007 to 2014 (1412.6980), optionally with a version (v2)")
            if Path(text).expanduser().is_file():
                raise UserError(f"{text} is a file on disk; fetch_paper.py downloads papers, so scaffold this PDF "
                                "directly instead")
            raise UserError(f"cannot read {source.strip()!r} as a paper: {SOURCE_HINT}")

    try:
        parts = urllib.parse.urlsplit(text)
        port = parts.port  # raises ValueError on a bad port
    except ValueError:
        raise UserError(f"{source.strip()!r} is not a valid link: {SOURCE_HINT}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UserError(f"{scheme}:// links are not supported: {SOURCE_HINT}")
    host = (parts.hostname or "").lower()
    if not host:
        raise UserError(f"{source.strip()!r} has no host name: {SOURCE_HINT}")
    bare = host.removeprefix("www.")
    segs = [s for s in parts.path.split("/") if s]

    if bare in ARXIV_HOSTS or bare.endswith(".arxiv.org"):
        if segs and segs[0] in ("abs", "pdf", "html", "format", "ps", "src") and len(segs) >= 2:
            aid = _id_at_start(urllib.parse.unquote("/".join(segs[1:])))
            if aid:
                return _arxiv_plan(source, aid, ep)
        raise UserError(f"this arXiv link does not name a paper: {text} "
                        "(expected e.g. https://arxiv.org/abs/2402.17152)")

    if bare in MIRROR_HOSTS and len(segs) >= 2 and segs[0] in MIRROR_HOSTS[bare]:
        aid = _id_at_start("/".join(segs[1:]))
        if aid:
            return _arxiv_plan(source, aid, ep)

    if bare in ("doi.org", "dx.doi.org"):
        doi_path = urllib.parse.unquote(parts.path.lstrip("/"))
        m = re.match(r"10\.48550/arxiv\.(.+)$", doi_path, flags=re.IGNORECASE)
        if m and (aid := parse_arxiv_id(m[1])):
            return _arxiv_plan(source, aid, ep)
        # any other DOI resolves to a publisher's page, not a PDF
        raise UserError(f"{text} is a DOI link to a publisher's page, not a PDF: {SOURCE_HINT}")

    if bare in OPENREVIEW_HOSTS and segs and segs[0] in ("forum", "pdf") and len(segs) == 1:
        ids = urllib.parse.parse_qs(parts.query).get("id", [])
        if not ids or not _OPENREVIEW_ID_RE.match(ids[0]):
            raise UserError(f"this OpenReview link has no paper id: {text} "
                            "(expected e.g. https://openreview.net/forum?id=YicbFdNTTy)")
        oid = ids[0]
        return DownloadPlan(
            source=source,
            kind="openreview",
            pdf_url=f"{ep.openreview_base}/pdf?id={urllib.parse.quote(oid)}",
            filename=f"openreview-{oid}.pdf",
            openreview_id=oid,
            endpoints=ep,
        )

    netloc = host if port is None else f"{host}:{port}"
    if ":" in host:  # an IPv6 literal keeps its brackets
        netloc = f"[{host}]" if port is None else f"[{host}]:{port}"
    url = urllib.parse.urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
    return DownloadPlan(source=source, kind="url", pdf_url=url, filename=_filename_from_url(parts.path), endpoints=ep)


def _filename_from_url(path: str) -> str:
    last = urllib.parse.unquote(path.rstrip("/").rsplit("/", 1)[-1])
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", last.removesuffix(".pdf").removesuffix(".PDF")).strip(".-")[:80]
    return f"{stem}.pdf" if stem else "paper.pdf"


# ---------------------------------------------------------------------------------------------------------------
# download_pdf and the HTTP under it: timeouts, bounded retries, a size limit, a PDF check


@dataclass(frozen=True)
class HttpOptions:
    """How patient and how generous a download is."""

    timeout_s: float = 60.0  # for connecting and for each wait on more data
    max_bytes: int = 200 * MB
    retries: int = 3  # further attempts after the first, for 429/5xx, timeouts, dropped connections
    backoff_s: float = 1.0  # first retry delay; doubles each time
    max_retry_after_s: float = 60.0  # a longer Retry-After ends the attempts instead of waiting
    user_agent: str = USER_AGENT

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **kw: Any) -> HttpOptions:
        env = os.environ if environ is None else environ
        raw = env.get("AIPR_HTTP_BACKOFF")
        if raw:
            try:
                kw.setdefault("backoff_s", max(0.0, float(raw)))
            except ValueError:
                raise UserError(f"AIPR_HTTP_BACKOFF={raw!r} is not a number of seconds") from None
        return cls(**kw)


@dataclass(frozen=True)
class Download:
    """A finished download: where it went, where it came from (after redirects), and what it is."""

    url: str
    final_url: str
    path: Path
    bytes: int
    sha256: str
    content_type: str
    attempts: int


ProgressFn = Callable[[int, "int | None"], None]
Validator = Callable[[bytes, str, str], None]  # (first bytes, content type, url) -> raises NetworkError


class _Retryable(Exception):
    """One attempt failed in a way another attempt may fix; message is the user's sentence if we give up."""

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class _SafeRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects only to http(s), so a server cannot send the download to ftp: or file:."""

    max_redirections = 10

    def http_error_302(self, req, fp, code, msg, headers):  # type: ignore[no-untyped-def]
        target = headers.get("Location") or headers.get("URI") or ""
        scheme = urllib.parse.urlsplit(urllib.parse.urljoin(req.full_url, target)).scheme.lower()
        if target and scheme not in ("http", "https"):
            fp.close()
            raise NetworkError(f"{req.full_url} redirects to a {scheme}: address ({target[:100]}); "
                               "only http(s) downloads are followed")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_SafeRedirects())


def _host(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return parts.netloc or url


def _parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def human_size(n: float) -> str:
    """'1.2 MB', '37 KB', '512 bytes'."""
    return f"{n / MB:.1f} MB" if n >= 100 * 1024 else f"{n / 1024:.0f} KB" if n >= 1024 else f"{int(n)} bytes"


def _reason_of(exc: BaseException) -> BaseException:
    reason = getattr(exc, "reason", None)
    return reason if isinstance(reason, BaseException) else exc


def _classify_connection_error(exc: BaseException, url: str, timeout_s: float) -> Exception:
    """Turns a socket-level failure into OfflineError/NetworkError (final) or _Retryable (try again)."""
    reason = _reason_of(exc)
    host = _host(url)
    if isinstance(reason, socket.gaierror):
        return OfflineError(f"cannot look up {urllib.parse.urlsplit(url).hostname}: no network connection, or the "
                            "name does not exist; check that you are online and run again")
    if isinstance(reason, ssl.SSLCertVerificationError):
        return NetworkError(f"the certificate of {host} cannot be verified ({reason.verify_message}); "
                            "the connection is not safe to use")
    if isinstance(reason, TimeoutError):
        return _Retryable(f"no answer from {host} within {timeout_s:g} s; check your connection or raise --timeout")
    if isinstance(reason, OSError) and reason.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN):
        return OfflineError(f"cannot reach {host}: the network is unreachable; check that you are online")
    if isinstance(reason, ConnectionRefusedError):
        return _Retryable(f"cannot connect to {host}: connection refused; check the address and your connection")
    if isinstance(reason, (ConnectionError, http.client.HTTPException, ssl.SSLError, OSError)):
        detail = " ".join(str(reason).split()) or type(reason).__name__
        return _Retryable(f"the connection to {host} failed ({detail[:120]}); check your connection")
    return NetworkError(f"the download from {url} failed: {reason}")


def http_get(
    url: str,
    sink: Callable[[bytes], None],
    options: HttpOptions,
    *,
    accept: str = "*/*",
    validate: Validator | None = None,
    on_progress: ProgressFn | None = None,
    on_retry: Callable[[str, float], None] | None = None,
    reset: Callable[[], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[str, str, int, int]:
    """GETs url into sink with retries; returns (final url, content type, bytes, attempts).

    reset() is called before each new attempt so the sink starts empty again. Raises NetworkError subclasses.
    """
    attempts = 0
    while True:
        attempts += 1
        if attempts > 1 and reset is not None:
            reset()
        try:
            final_url, ctype, n = _attempt(url, sink, options, accept, validate, on_progress)
            return final_url, ctype, n, attempts
        except _Retryable as exc:
            if attempts > options.retries:
                tries = f" (tried {attempts} times)" if attempts > 1 else ""
                raise _final_error(exc, url, tries) from None
            delay = min(options.backoff_s * 2 ** (attempts - 1), options.max_retry_after_s)
            if exc.retry_after_s is not None:
                if exc.retry_after_s > options.max_retry_after_s:
                    raise _too_long_to_wait(exc, url, options.max_retry_after_s) from None
                delay = max(delay, exc.retry_after_s)
            if on_retry is not None:
                on_retry(f"{exc}; retrying in {delay:g} s (attempt {attempts + 1} of {options.retries + 1})", delay)
            sleep(delay)


def _final_error(exc: _Retryable, url: str, tail: str) -> NetworkError:
    if isinstance(exc, _RetryableStatus):
        return HttpStatusError(f"{exc}{tail}", exc.status, url)
    return NetworkError(f"{exc}{tail}")


def _too_long_to_wait(exc: _Retryable, url: str, cap_s: float) -> NetworkError:
    wait = f"{exc.retry_after_s:.0f} s"
    if isinstance(exc, _RetryableStatus):
        return HttpStatusError(f"{exc.status_line}: the server asks to wait {wait} before trying again "
                               f"(longer than {cap_s:g} s); run again later", exc.status, url)
    return NetworkError(f"{exc}; the server asks to wait {wait}; run again later")


class _RetryableStatus(_Retryable):
    def __init__(self, status_line: str, hint: str, status: int, retry_after_s: float | None) -> None:
        super().__init__(f"{status_line}: {hint}", retry_after_s)
        self.status_line = status_line
        self.status = status


def _attempt(url: str, sink: Callable[[bytes], None], options: HttpOptions, accept: str,
             validate: Validator | None, on_progress: ProgressFn | None) -> tuple[str, str, int]:
    req = urllib.request.Request(
        url, headers={"User-Agent": options.user_agent, "Accept": accept, "Accept-Encoding": "identity"})
    try:
        resp = _opener().open(req, timeout=options.timeout_s)
    except urllib.error.HTTPError as exc:
        with contextlib.closing(exc):
            status, final = exc.code, exc.geturl() or url
            reason = " ".join(str(exc.reason or http.client.responses.get(status, "")).split())
            if 300 <= status < 400:
                raise NetworkError(f"{url} redirects too many times or in a loop (HTTP {status}); "
                                   "the link is broken") from None
            msg = f"HTTP {status} {reason} from {final}".rstrip()
            if status in RETRY_STATUSES:
                hint = ("the server is rate-limiting; wait a minute and run again" if status == 429
                        else "the server has trouble; try again later")
                retry_after = _parse_retry_after(exc.headers.get("Retry-After") if exc.headers else None)
                raise _RetryableStatus(msg, hint, status, retry_after) from None
            if status == 404:
                msg += ": there is nothing at this address; check the link or id"
            elif status in (401, 403):
                msg += ": the server refuses the download (it may need a login)"
            raise HttpStatusError(msg, status, final) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        err = _classify_connection_error(exc, url, options.timeout_s)
        raise err from None

    with resp:
        final = resp.geturl() or url
        ctype = resp.headers.get("Content-Type", "") or ""
        length_raw = resp.headers.get("Content-Length")
        length = int(length_raw) if length_raw and length_raw.strip().isdigit() else None
        if length is not None and length > options.max_bytes:
            raise NetworkError(f"{final} is {human_size(length)}, over the limit of {human_size(options.max_bytes)}; "
                               "raise --max-mb to download it")
        total = 0
        head = b""
        checked = validate is None
        try:
            while True:
                chunk = resp.read(64 * 1024)
                if not chunk:
                    break
                total += len(chunk)
                if total > options.max_bytes:
                    raise NetworkError(f"{final} sent more than the limit of {human_size(options.max_bytes)}; "
                                       "raise --max-mb to download it")
                if not checked:
                    head += chunk
                    if len(head) < 1024:
                        continue
                    validate(head, ctype, final)  # type: ignore[misc]
                    checked = True
                    sink(head)
                    head = b""
                else:
                    sink(chunk)
                if on_progress is not None:
                    on_progress(total, length)
        except TimeoutError:
            raise _Retryable(f"{_host(final)} stopped sending after {human_size(total)} (no data for "
                             f"{options.timeout_s:g} s); check your connection or raise --timeout") from None
        except (http.client.IncompleteRead, ConnectionError, http.client.HTTPException, ssl.SSLError) as exc:
            raise _Retryable(f"the download from {final} was cut short after {human_size(total)} "
                             f"({type(exc).__name__}); try again") from None
        if length is not None and total < length:
            raise _Retryable(f"the download from {final} was cut short: got {total} of {length} bytes; try again")
        if not checked:
            validate(head, ctype, final)  # type: ignore[misc]
            sink(head)
        if on_progress is not None:
            on_progress(total, length)
        return final, ctype, total


def check_pdf_head(head: bytes, content_type: str, url: str) -> None:
    """Refuses what is not a PDF: the magic bytes decide, the content type only names what came back."""
    if is_pdf_head(head):
        return
    kind = what_is(head, content_type)
    kind = "an empty response" if kind == "empty" else kind
    raise NetworkError(f"{url} did not return a PDF but {kind}; "
                       "check that the link points at the paper's PDF")


def download_pdf(
    url: str,
    dest: Path,
    options: HttpOptions | None = None,
    *,
    on_progress: ProgressFn | None = None,
    on_retry: Callable[[str, float], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    password: str | None = None,
) -> Download:
    """Downloads url to dest through dest.part, checking it is a PDF; on any failure nothing is left at dest."""
    opts = options or HttpOptions()
    dest = Path(dest)
    part = dest.with_name(dest.name + ".part")
    digest = hashlib.sha256()
    fh = part.open("wb")
    state = {"digest": digest}

    def sink(data: bytes) -> None:
        fh.write(data)
        state["digest"].update(data)

    def reset() -> None:
        fh.seek(0)
        fh.truncate()
        state["digest"] = hashlib.sha256()

    try:
        try:
            final, ctype, n, attempts = http_get(
                url, sink, opts, accept="application/pdf,*/*;q=0.5", validate=check_pdf_head,
                on_progress=on_progress, on_retry=on_retry, reset=reset, sleep=sleep)
        finally:
            fh.close()
        check_pdf_file(part, final, password)
        os.replace(part, dest)
    finally:
        with contextlib.suppress(OSError):
            part.unlink()
    return Download(url=url, final_url=final, path=dest, bytes=n, sha256=state["digest"].hexdigest(),
                    content_type=ctype, attempts=attempts)


def check_pdf_file(path: Path, url: str, password: str | None = None) -> None:
    """The whole file must open as a PDF with pages (a body cut short without a Content-Length fails here).

    An encrypted paper is the user's to unlock: without the right password that is bad input, not the network."""
    from .pdf import open_pdf  # imports PyMuPDF only when a download has arrived

    try:
        doc = open_pdf(path, password)
    except UserError as exc:
        detail = str(exc).replace(str(path), "the file")
        if "encrypted" in detail or "password" in detail:
            raise UserError(f"the paper at {url} is encrypted; run again with --password to open it") from None
        raise NetworkError(f"what {url} sent starts like a PDF but cannot be read as one ({detail})") from None
    doc.close()


# ---------------------------------------------------------------------------------------------------------------
# fetch_arxiv_metadata: the arXiv API Atom feed -> ArxivMeta

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV_NS = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
MAX_API_BYTES = 5 * MB


@dataclass(frozen=True)
class ArxivMeta:
    """One paper's record in the arXiv API: the fields source.yaml keeps."""

    arxiv_id: str  # without version: 2402.17152, cs/0112017
    version: str | None  # v2
    title: str
    authors: list[str]
    abstract: str
    categories: list[str]
    primary_category: str | None
    published: str | None  # first version, ISO 8601 as arXiv gives it
    updated: str | None  # this version
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "arxiv_id": self.arxiv_id,
            "version": self.version,
            "title": self.title,
            "authors": list(self.authors),
            "abstract": self.abstract,
            "categories": list(self.categories),
            "primary_category": self.primary_category,
            "published": self.published,
            "updated": self.updated,
            "comment": self.comment,
            "journal_ref": self.journal_ref,
            "doi": self.doi,
        }


class _NoDoctype(Exception):
    pass


def parse_xml_no_dtd(data: bytes) -> ET.Element:
    """Parses XML with expat, refusing any DOCTYPE or entity declaration (no entity-expansion tricks)."""
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")

    def refuse(*_: object) -> None:
        raise _NoDoctype

    def name(n: str) -> str:
        return "{" + n if "}" in n else n

    def start(tag: str, attrs: dict[str, str]) -> None:
        builder.start(name(tag), {name(k): v for k, v in attrs.items()})

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = lambda tag: builder.end(name(tag))
    parser.CharacterDataHandler = builder.data
    parser.buffer_text = True
    try:
        parser.Parse(data, True)
    except _NoDoctype:
        raise NetworkError("the arXiv API answer declares a DOCTYPE, which its Atom feed never does; "
                           "refusing to parse it") from None
    except expat.ExpatError as exc:
        raise NetworkError(f"the arXiv API answer is not valid XML ({expat.ErrorString(exc.code)} at line "
                           f"{exc.lineno}); try again later") from None
    return builder.close()


def _text(el: ET.Element | None) -> str:
    return " ".join((el.text or "").split()) if el is not None and el.text else ""


def parse_arxiv_atom(data: bytes) -> list[ArxivMeta]:
    """The entries of an arXiv API answer; an error entry (bad id) raises UserError with arXiv's own words."""
    root = parse_xml_no_dtd(data)
    if root.tag != f"{ATOM}feed":
        raise NetworkError(f"the arXiv API answer is not an Atom feed (root element {root.tag!r}); try again later")
    out: list[ArxivMeta] = []
    for entry in root.findall(f"{ATOM}entry"):
        entry_id = _text(entry.find(f"{ATOM}id"))
        if "/api/errors" in entry_id:
            raise UserError(f"the arXiv API refused the id: {_text(entry.find(f'{ATOM}summary')) or entry_id}")
        m = re.search(r"/abs/(.+)$", entry_id)
        title = _text(entry.find(f"{ATOM}title"))
        if not m or not title:
            continue  # an empty entry: arXiv's way of saying there is no such paper
        aid = parse_arxiv_id(m[1])
        if aid is None:
            continue
        primary = entry.find(f"{ARXIV_NS}primary_category")
        cats = [c.get("term", "") for c in entry.findall(f"{ATOM}category") if c.get("term")]
        out.append(ArxivMeta(
            arxiv_id=aid.base,
            version=aid.version,
            title=title,
            authors=[_text(a.find(f"{ATOM}name")) for a in entry.findall(f"{ATOM}author")
                     if _text(a.find(f"{ATOM}name"))],
            abstract=_text(entry.find(f"{ATOM}summary")),
            categories=list(dict.fromkeys(cats)),
            primary_category=primary.get("term") if primary is not None else (cats[0] if cats else None),
            published=_text(entry.find(f"{ATOM}published")) or None,
            updated=_text(entry.find(f"{ATOM}updated")) or None,
            comment=_text(entry.find(f"{ARXIV_NS}comment")) or None,
            journal_ref=_text(entry.find(f"{ARXIV_NS}journal_ref")) or None,
            doi=_text(entry.find(f"{ARXIV_NS}doi")) or None,
        ))
    return out


def fetch_arxiv_metadata(
    plan: DownloadPlan,
    options: HttpOptions | None = None,
    *,
    on_retry: Callable[[str, float], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> ArxivMeta | None:
    """The arXiv API's record for plan's paper, or None when arXiv has no entry for it."""
    if plan.arxiv is None or plan.api_url is None:
        return None
    base = options or HttpOptions()
    opts = replace(base, max_bytes=min(base.max_bytes, MAX_API_BYTES))
    chunks: list[bytes] = []
    http_get(plan.api_url, chunks.append, opts, accept="application/atom+xml,application/xml;q=0.9,*/*;q=0.5",
             on_retry=on_retry, reset=chunks.clear, sleep=sleep)
    entries = parse_arxiv_atom(b"".join(chunks))
    for meta in entries:
        if meta.arxiv_id == plan.arxiv.base and (plan.arxiv.version in (None, meta.version)):
            return meta
    return None


def source_record(plan: DownloadPlan, download: Download, meta: ArxivMeta | None) -> dict[str, Any]:
    """What source.yaml holds: where the PDF came from and, for arXiv, the API's metadata (None fields dropped)."""
    rec: dict[str, Any] = {"source": plan.source.strip(), "kind": plan.kind}
    if meta is not None:
        rec.update(meta.as_dict())
    elif plan.arxiv is not None:
        rec.update({"arxiv_id": plan.arxiv.base, "version": plan.arxiv.version})
    if plan.openreview_id:
        rec["openreview_id"] = plan.openreview_id
    if plan.arxiv is not None:
        version = meta.version if meta is not None and meta.version else plan.arxiv.version
        rec["abs_url"] = f"{DEFAULT_ARXIV_ABS_BASE}/{plan.arxiv.base}{version or ''}"
    rec.update({"pdf_url": download.url, "pdf_bytes": download.bytes, "pdf_sha256": download.sha256})
    return {k: v for k, v in rec.items() if v not in (None, "", [])}
