"""fetch_paper.py and paperkit.fetch: every SOURCE form to its download address, and downloads from a local server.

No test touches the internet: a http.server on 127.0.0.1 (port 0) serves fixture PDFs built here with PyMuPDF and
arXiv API answers, and misbehaves on purpose (slow, 404/429/500, HTML instead of PDF, short body, too large,
redirect chains). The arXiv and OpenReview addresses are pointed at it through AIPR_* environment variables.
"""
from __future__ import annotations

import hashlib
import http.server
import importlib.util
import json
import os
import re
import socket
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from xml.sax.saxutils import escape

import pymupdf
import pytest
import yaml
from conftest import SCRIPTS, run_script
from paperkit.io import fetch
from paperkit.io.errors import NetworkError, UserError

# ---------------------------------------------------------------------------------------------------------------
# Every SOURCE form -> the right download address (real-world ids and links)

AR = "https://arxiv.org/pdf"
API = "https://export.arxiv.org/api/query?id_list="
OR = "https://openreview.net"

PARSE_CASES = [
    # new-style ids, with and without version and prefix
    ("2402.17152", "arxiv", f"{AR}/2402.17152", "2402.17152", None),
    ("2402.17152v2", "arxiv", f"{AR}/2402.17152v2", "2402.17152", "v2"),
    ("arXiv:1706.03762", "arxiv", f"{AR}/1706.03762", "1706.03762", None),
    ("arxiv:1706.03762v7", "arxiv", f"{AR}/1706.03762v7", "1706.03762", "v7"),
    ("  1810.04805  ", "arxiv", f"{AR}/1810.04805", "1810.04805", None),
    ("1412.6980", "arxiv", f"{AR}/1412.6980", "1412.6980", None),  # 4-digit number, 2014
    ("0704.0001", "arxiv", f"{AR}/0704.0001", "0704.0001", None),  # the first new-style id
    # old-style ids; the subject class is not part of the canonical id
    ("cs/0112017", "arxiv", f"{AR}/cs/0112017", "cs/0112017", None),
    ("math.GT/0309136v1", "arxiv", f"{AR}/math/0309136v1", "math/0309136", "v1"),
    ("hep-th/9901001", "arxiv", f"{AR}/hep-th/9901001", "hep-th/9901001", None),
    ("arXiv:cond-mat.mes-hall/0102536v2", "arxiv", f"{AR}/cond-mat/0102536v2", "cond-mat/0102536", "v2"),
    # arXiv links: abs / pdf / pdf.pdf / html, export mirror, www, http, no scheme, query and fragment
    ("https://arxiv.org/abs/2402.17152", "arxiv", f"{AR}/2402.17152", "2402.17152", None),
    ("https://arxiv.org/abs/2402.17152v2", "arxiv", f"{AR}/2402.17152v2", "2402.17152", "v2"),
    ("https://arxiv.org/pdf/2402.17152", "arxiv", f"{AR}/2402.17152", "2402.17152", None),
    ("https://arxiv.org/pdf/2402.17152v1.pdf", "arxiv", f"{AR}/2402.17152v1", "2402.17152", "v1"),
    ("https://arxiv.org/pdf/1706.03762.pdf", "arxiv", f"{AR}/1706.03762", "1706.03762", None),
    ("https://arxiv.org/html/2402.17152v1", "arxiv", f"{AR}/2402.17152v1", "2402.17152", "v1"),
    ("https://arxiv.org/html/2402.17152v1/#S3.SS2", "arxiv", f"{AR}/2402.17152v1", "2402.17152", "v1"),
    ("https://arxiv.org/html/2402.17152v1/x1.png", "arxiv", f"{AR}/2402.17152v1", "2402.17152", "v1"),
    ("http://export.arxiv.org/abs/1706.03762v5", "arxiv", f"{AR}/1706.03762v5", "1706.03762", "v5"),
    ("https://export.arxiv.org/pdf/1706.03762", "arxiv", f"{AR}/1706.03762", "1706.03762", None),
    ("https://www.arxiv.org/abs/1810.04805?context=cs", "arxiv", f"{AR}/1810.04805", "1810.04805", None),
    ("arxiv.org/abs/1706.03762", "arxiv", f"{AR}/1706.03762", "1706.03762", None),
    ("https://arxiv.org/abs/cs/0112017v1", "arxiv", f"{AR}/cs/0112017v1", "cs/0112017", "v1"),
    ("https://arxiv.org/pdf/math.GT/0309136.pdf", "arxiv", f"{AR}/math/0309136", "math/0309136", None),
    ("<https://arxiv.org/abs/2402.17152>", "arxiv", f"{AR}/2402.17152", "2402.17152", None),
    # pages that name an arXiv paper
    ("https://huggingface.co/papers/2402.17152", "arxiv", f"{AR}/2402.17152", "2402.17152", None),
    ("https://doi.org/10.48550/arXiv.1706.03762", "arxiv", f"{AR}/1706.03762", "1706.03762", None),
    ("10.48550/arXiv.2402.17152", "arxiv", f"{AR}/2402.17152", "2402.17152", None),
    # OpenReview forum and pdf links
    ("https://openreview.net/forum?id=YicbFdNTTy", "openreview", f"{OR}/pdf?id=YicbFdNTTy", None, None),
    ("https://openreview.net/pdf?id=YicbFdNTTy", "openreview", f"{OR}/pdf?id=YicbFdNTTy", None, None),
    ("https://openreview.net/forum?id=rJ4km2R5t7&noteId=HJg4Oc0sT7", "openreview",
     "https://openreview.net/pdf?id=rJ4km2R5t7", None, None),
    # direct PDF links stay as they are (the fragment dropped)
    ("https://proceedings.neurips.cc/paper/2017/file/3f5ee243547dee91fbd053c1c4a845aa-Paper.pdf", "url",
     "https://proceedings.neurips.cc/paper/2017/file/3f5ee243547dee91fbd053c1c4a845aa-Paper.pdf", None, None),
    ("https://aclanthology.org/N19-1423.pdf#page=3", "url", "https://aclanthology.org/N19-1423.pdf", None, None),
    ("http://127.0.0.1:8765/files/a%20b.pdf?dl=1", "url", "http://127.0.0.1:8765/files/a%20b.pdf?dl=1", None, None),
]


@pytest.mark.parametrize(("source", "kind", "pdf_url", "arxiv_id", "version"), PARSE_CASES)
def test_every_source_form_parses_to_its_download_address(source, kind, pdf_url, arxiv_id, version):
    plan = fetch.parse_source(source, fetch.Endpoints())
    assert (plan.kind, plan.pdf_url) == (kind, pdf_url)
    assert (plan.arxiv.base if plan.arxiv else None) == arxiv_id
    assert (plan.arxiv.version if plan.arxiv else None) == version
    if arxiv_id:
        assert plan.api_url == API + arxiv_id + (version or "")
    assert plan.filename.endswith(".pdf") and "/" not in plan.filename


BAD_SOURCES = [
    ("hello world", "cannot read"),
    ("ftp://x", "ftp:// links are not supported"),
    ("file:///etc/passwd", "file:// links are not supported"),
    ("", "SOURCE is empty"),
    ("2402.1715", "not a valid arXiv id"),  # a digit short
    ("1312.60001", "not a valid arXiv id"),  # 5-digit numbers only since 2015
    ("2413.00001", "not a valid arXiv id"),  # month 13
    ("foo/0112017", "cannot read"),  # not an arXiv archive
    ("https://arxiv.org/list/cs.LG/recent", "does not name a paper"),
    ("https://arxiv.org/abs/2402.17152v0", "does not name a paper"),
    ("https://openreview.net/forum", "has no paper id"),
    ("https://openreview.net/forum?id=", "has no paper id"),
    ("https://doi.org/10.1145/3292500.3330701", "DOI link"),
    ("https:///paper.pdf", "has no host name"),
    ("http://example.org:99999/paper.pdf", "not a valid link"),
]


@pytest.mark.parametrize(("source", "says"), BAD_SOURCES)
def test_bad_sources_are_refused_with_a_sentence(source, says):
    with pytest.raises(UserError, match=says) as info:
        fetch.parse_source(source, fetch.Endpoints())
    assert not isinstance(info.value, NetworkError)
    assert "\n" not in str(info.value)


def test_a_file_on_disk_is_not_downloaded(tmp_path):
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    with pytest.raises(UserError, match="is a file on disk"):
        fetch.parse_source(str(pdf), fetch.Endpoints())


def test_endpoints_come_from_the_environment_and_drive_every_arxiv_form():
    ep = fetch.Endpoints.from_env({"AIPR_ARXIV_API": "http://127.0.0.1:9/api/query",
                                   "AIPR_ARXIV_PDF_BASE": "http://127.0.0.1:9/pdf/",
                                   "AIPR_OPENREVIEW_BASE": "http://127.0.0.1:9/or"})
    assert fetch.parse_source("https://arxiv.org/abs/2402.17152v2", ep).pdf_url == "http://127.0.0.1:9/pdf/2402.17152v2"
    assert fetch.parse_source("cs/0112017", ep).api_url == "http://127.0.0.1:9/api/query?id_list=cs/0112017"
    assert fetch.parse_source("https://openreview.net/forum?id=Abc_-123", ep).pdf_url == \
        "http://127.0.0.1:9/or/pdf?id=Abc_-123"
    assert fetch.Endpoints.from_env({}) == fetch.Endpoints()


def test_pinning_a_version_changes_the_pdf_address():
    plan = fetch.parse_source("1706.03762", fetch.Endpoints())
    assert plan.with_version("v7").pdf_url == f"{AR}/1706.03762v7"
    assert plan.with_version("v7").filename == "1706.03762v7.pdf"
    assert plan.with_version(None) is plan


# ---------------------------------------------------------------------------------------------------------------
# arXiv Atom parsing

ATOM_ATTENTION = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query?search_query%3D%26id_list%3D1706.03762" rel="self"
        type="application/atom+xml"/>
  <title type="html">ArXiv Query: search_query=&amp;id_list=1706.03762&amp;start=0&amp;max_results=10</title>
  <id>http://arxiv.org/api/cHxbiOdZaP56ODnBPIenZhzg5f8</id>
  <updated>2024-03-01T00:00:00-05:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">1</opensearch:totalResults>
  <entry>
    <id>http://arxiv.org/abs/1706.03762v7</id>
    <updated>2023-08-02T00:41:18Z</updated>
    <published>2017-06-12T17:57:34Z</published>
    <title>Attention Is All You
  Need</title>
    <summary>  The dominant sequence transduction models are based on complex recurrent or
convolutional neural networks. We propose a new simple network architecture, the
Transformer &amp; friends, based solely on attention mechanisms.
</summary>
    <author><name>Ashish Vaswani</name></author>
    <author><name>Noam Shazeer</name></author>
    <author><name>Łukasz Kaiser</name></author>
    <arxiv:comment xmlns:arxiv="http://arxiv.org/schemas/atom">15 pages, 5 figures</arxiv:comment>
    <link href="http://arxiv.org/abs/1706.03762v7" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/1706.03762v7" rel="related" type="application/pdf"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
</feed>
"""

ATOM_OLD_STYLE = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <entry>
    <id>http://arxiv.org/abs/cs/0112017v1</id>
    <updated>2001-12-18T12:00:00Z</updated>
    <published>2001-12-18T12:00:00Z</published>
    <title>An Old-Style Paper</title>
    <summary>Short.</summary>
    <author><name>A. Author</name></author>
    <arxiv:doi>10.1000/xyz</arxiv:doi>
    <arxiv:journal_ref>J. Old Papers 1 (2002) 1-2</arxiv:journal_ref>
    <category term="cs.DS"/>
  </entry>
</feed>
"""

ATOM_ERROR = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_9999.x</id>
    <title>Error</title>
    <summary>incorrect id format for 9999.x</summary>
  </entry>
</feed>
"""

ATOM_EMPTY = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:totalResults>
</feed>
"""

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE feed [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/1706.03762v7</id>
<title>&lol3;</title></entry></feed>
"""


def test_atom_entry_becomes_the_metadata_source_yaml_keeps():
    (meta,) = fetch.parse_arxiv_atom(ATOM_ATTENTION.encode())
    assert meta.arxiv_id == "1706.03762" and meta.version == "v7"
    assert meta.title == "Attention Is All You Need"
    assert meta.authors == ["Ashish Vaswani", "Noam Shazeer", "Łukasz Kaiser"]
    assert meta.abstract.startswith("The dominant sequence transduction models are based on complex recurrent or "
                                    "convolutional")
    assert "Transformer & friends" in meta.abstract and "\n" not in meta.abstract
    assert meta.categories == ["cs.CL", "cs.LG"] and meta.primary_category == "cs.CL"
    assert (meta.published, meta.updated) == ("2017-06-12T17:57:34Z", "2023-08-02T00:41:18Z")
    assert meta.comment == "15 pages, 5 figures" and meta.doi is None


def test_atom_old_style_entry():
    (meta,) = fetch.parse_arxiv_atom(ATOM_OLD_STYLE.encode())
    assert (meta.arxiv_id, meta.version) == ("cs/0112017", "v1")
    assert meta.doi == "10.1000/xyz" and meta.journal_ref.startswith("J. Old Papers")
    assert meta.primary_category == "cs.DS"  # no primary_category element: the first category


def test_atom_error_entry_and_empty_feed():
    with pytest.raises(UserError, match=r"incorrect id format for 9999\.x"):
        fetch.parse_arxiv_atom(ATOM_ERROR.encode())
    assert fetch.parse_arxiv_atom(ATOM_EMPTY.encode()) == []


@pytest.mark.parametrize("doc", [
    BILLION_LAUGHS,
    '<?xml version="1.0"?><!DOCTYPE feed SYSTEM "http://127.0.0.1:9/evil.dtd"><feed/>',
    '<?xml version="1.0"?>\n<!DOCTYPE feed><feed xmlns="http://www.w3.org/2005/Atom"/>',
])
def test_atom_with_a_doctype_is_refused(doc):
    with pytest.raises(NetworkError, match="DOCTYPE"):
        fetch.parse_arxiv_atom(doc.encode())


def test_atom_doctype_is_refused_in_utf16_too():
    with pytest.raises(NetworkError, match="DOCTYPE"):
        fetch.parse_arxiv_atom(BILLION_LAUGHS.replace('<?xml version="1.0"?>', "").encode("utf-16"))


@pytest.mark.parametrize("doc", [b"<feed><entry>", b"not xml at all", b"<html><body>busy</body></html>"])
def test_atom_that_is_not_a_feed_is_a_network_error(doc):
    with pytest.raises(NetworkError):
        fetch.parse_arxiv_atom(doc)


# ---------------------------------------------------------------------------------------------------------------
# A local server that misbehaves on request


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # wait before answering (released early when the test ends)
    length: int | None = None  # Content-Length to declare; None: the true length
    send_length: bool = True  # False: no Content-Length, the body ends when the connection closes


class Server:
    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.hits: dict[str, int] = {}
        self.agents: list[str] = []
        self.release = threading.Event()
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with outer.lock:
                    n = outer.hits.get(self.path, 0)
                    outer.hits[self.path] = n + 1
                    outer.agents.append(self.headers.get("User-Agent", ""))
                    replies = outer.routes.get(self.path) or [Reply(404, b"<html><title>Not Found</title></html>",
                                                                    {"Content-Type": "text/html"})]
                reply = replies[min(n, len(replies) - 1)]
                if reply.delay_s:
                    outer.release.wait(reply.delay_s)
                try:
                    self.send_response(reply.status)
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    if reply.send_length:
                        self.send_header("Content-Length", str(len(reply.body) if reply.length is None
                                                               else reply.length))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, as it should

            def log_message(self, *_args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def add(self, path: str, *replies: Reply) -> str:
        self.routes[path] = list(replies)
        return self.base + path

    def pdf(self, path: str, body: bytes, **kw: object) -> str:
        return self.add(path, Reply(200, body, {"Content-Type": "application/pdf"}, **kw))

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(monkeypatch):
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    s = Server()
    yield s
    s.close()


def make_pdf(title: str = "Attention Is All You Need", author: str = "Ashish Vaswani", pad_bytes: int = 0) -> bytes:
    """A small two-page paper; pad_bytes of incompressible attachment make it large."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 90), title, fontsize=18)
    page.insert_text((72, 120), author, fontsize=11)
    page.insert_textbox(pymupdf.Rect(72, 150, 540, 700), "Abstract. " + "We propose a simple model. " * 40,
                        fontsize=10)
    doc.new_page().insert_text((72, 90), "1 Introduction", fontsize=12)
    if pad_bytes:
        doc.embfile_add("pad.bin", os.urandom(pad_bytes))
    data = doc.tobytes(deflate=True)
    doc.close()
    return data


@pytest.fixture(scope="module")
def paper_pdf() -> bytes:
    return make_pdf()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


FAST = fetch.HttpOptions(timeout_s=5, retries=2, backoff_s=0.5)


class Sleeps(list):
    """Records the retry delays instead of waiting them out."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def left_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


def downloads_left_in(tmpdir: Path) -> list[str]:
    """What the script left in the temp folder (PyMuPDF keeps a small .ses file there, which is not ours)."""
    return [n for n in left_in(tmpdir) if n.startswith("aipr-fetch-") or n.endswith((".pdf", ".part"))]


# ---------------------------------------------------------------------------------------------------------------
# download_pdf against the local server


def test_download_pdf_writes_the_exact_bytes_and_names_the_tool(server, tmp_path, paper_pdf):
    url = server.pdf("/files/paper.pdf", paper_pdf)
    got = fetch.download_pdf(url, tmp_path / "p.pdf", FAST, sleep=Sleeps())
    assert (tmp_path / "p.pdf").read_bytes() == paper_pdf
    assert got.bytes == len(paper_pdf) and got.sha256 == hashlib.sha256(paper_pdf).hexdigest()
    assert got.attempts == 1 and got.final_url == url
    assert server.agents == [fetch.USER_AGENT] and "ai-paper-reader" in fetch.USER_AGENT
    assert left_in(tmp_path) == ["p.pdf"]


def test_redirect_chain_is_followed(server, tmp_path, paper_pdf):
    server.add("/r1", Reply(301, headers={"Location": "/r2"}))
    server.add("/r2", Reply(302, headers={"Location": f"{server.base}/r3?x=1"}))
    server.add("/r3?x=1", Reply(307, headers={"Location": "/files/final.pdf"}))
    server.pdf("/files/final.pdf", paper_pdf)
    got = fetch.download_pdf(server.base + "/r1", tmp_path / "p.pdf", FAST)
    assert got.final_url == server.base + "/files/final.pdf"
    assert (tmp_path / "p.pdf").read_bytes() == paper_pdf


def test_redirect_loop_and_redirect_to_another_scheme_are_refused(server, tmp_path):
    server.add("/loop-a", Reply(302, headers={"Location": "/loop-b"}))
    server.add("/loop-b", Reply(302, headers={"Location": "/loop-a"}))
    with pytest.raises(NetworkError, match="redirects too many times or in a loop"):
        fetch.download_pdf(server.base + "/loop-a", tmp_path / "p.pdf", FAST)
    server.add("/to-file", Reply(302, headers={"Location": "file:///etc/passwd"}))
    with pytest.raises(NetworkError, match="only http"):
        fetch.download_pdf(server.base + "/to-file", tmp_path / "p.pdf", FAST)
    assert left_in(tmp_path) == []


def test_429_waits_as_retry_after_says_then_succeeds(server, tmp_path, paper_pdf):
    url = server.add("/busy.pdf", Reply(429, b"slow down", {"Retry-After": "2"}),
                     Reply(200, paper_pdf, {"Content-Type": "application/pdf"}))
    sleeps = Sleeps()
    retries: list[str] = []
    got = fetch.download_pdf(url, tmp_path / "p.pdf", FAST, sleep=sleeps, on_retry=lambda m, _d: retries.append(m))
    assert got.attempts == 2 and server.hits["/busy.pdf"] == 2
    assert sleeps == [2.0]  # Retry-After (2 s) rather than the 0.5 s backoff
    assert "HTTP 429" in retries[0] and "attempt 2 of 3" in retries[0]
    assert (tmp_path / "p.pdf").read_bytes() == paper_pdf


def test_429_with_a_retry_after_beyond_the_cap_gives_up_at_once(server, tmp_path):
    url = server.add("/later.pdf", Reply(429, b"", {"Retry-After": "3600"}))
    sleeps = Sleeps()
    with pytest.raises(fetch.HttpStatusError, match="asks to wait 3600 s") as info:
        fetch.download_pdf(url, tmp_path / "p.pdf", FAST, sleep=sleeps)
    assert info.value.status == 429 and sleeps == [] and server.hits["/later.pdf"] == 1


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_server_errors_are_retried_with_backoff_then_reported(server, tmp_path, status):
    url = server.add("/down.pdf", Reply(status, b"<html>oops</html>", {"Content-Type": "text/html"}))
    sleeps = Sleeps()
    with pytest.raises(fetch.HttpStatusError, match=f"HTTP {status} .*tried 3 times") as info:
        fetch.download_pdf(url, tmp_path / "p.pdf", FAST, sleep=sleeps)
    assert info.value.status == status
    assert server.hits["/down.pdf"] == 3 and sleeps == [0.5, 1.0]
    assert left_in(tmp_path) == []


def test_500_then_success(server, tmp_path, paper_pdf):
    url = server.add("/flaky.pdf", Reply(500), Reply(503), Reply(200, paper_pdf))
    got = fetch.download_pdf(url, tmp_path / "p.pdf", FAST, sleep=Sleeps())
    assert got.attempts == 3 and (tmp_path / "p.pdf").read_bytes() == paper_pdf


def test_404_is_not_retried(server, tmp_path):
    with pytest.raises(fetch.HttpStatusError, match=r"HTTP 404 Not Found .*nothing at this address") as info:
        fetch.download_pdf(server.base + "/missing.pdf", tmp_path / "p.pdf", FAST, sleep=Sleeps())
    assert info.value.status == 404 and server.hits["/missing.pdf"] == 1


def test_slow_server_times_out_after_bounded_retries(server, tmp_path, paper_pdf):
    url = server.pdf("/slow.pdf", paper_pdf, delay_s=30)
    opts = fetch.HttpOptions(timeout_s=0.3, retries=1, backoff_s=0)
    with pytest.raises(NetworkError, match=r"no answer from 127\.0\.0\.1:\d+ within 0\.3 s.*tried 2 times"):
        fetch.download_pdf(url, tmp_path / "p.pdf", opts, sleep=Sleeps())
    assert server.hits["/slow.pdf"] == 2
    assert left_in(tmp_path) == []


def test_truncated_body_is_retried_then_reported(server, tmp_path, paper_pdf):
    url = server.pdf("/short.pdf", paper_pdf, length=len(paper_pdf) + 5000)
    with pytest.raises(NetworkError, match=f"cut short: got {len(paper_pdf)} of {len(paper_pdf) + 5000} bytes"):
        fetch.download_pdf(url, tmp_path / "p.pdf", FAST, sleep=Sleeps())
    assert server.hits["/short.pdf"] == 3
    assert left_in(tmp_path) == []


def test_truncated_then_whole_keeps_only_the_whole_body(server, tmp_path, paper_pdf):
    url = server.add("/once-short.pdf", Reply(200, paper_pdf[: len(paper_pdf) // 2], length=len(paper_pdf)),
                     Reply(200, paper_pdf))
    got = fetch.download_pdf(url, tmp_path / "p.pdf", FAST, sleep=Sleeps())
    assert got.attempts == 2 and got.sha256 == hashlib.sha256(paper_pdf).hexdigest()
    assert (tmp_path / "p.pdf").read_bytes() == paper_pdf


def test_too_large_by_content_length_is_refused_before_reading(server, tmp_path, paper_pdf):
    url = server.pdf("/big.pdf", paper_pdf)
    opts = fetch.HttpOptions(max_bytes=len(paper_pdf) - 1, retries=2)
    with pytest.raises(NetworkError, match=r"over the limit of .*raise --max-mb"):
        fetch.download_pdf(url, tmp_path / "p.pdf", opts, sleep=Sleeps())
    assert server.hits["/big.pdf"] == 1 and left_in(tmp_path) == []


def test_too_large_without_content_length_stops_at_the_limit(server, tmp_path):
    big = make_pdf(pad_bytes=400_000)
    url = server.pdf("/stream.pdf", big, send_length=False)
    opts = fetch.HttpOptions(max_bytes=200_000)
    with pytest.raises(NetworkError, match="sent more than the limit"):
        fetch.download_pdf(url, tmp_path / "p.pdf", opts, sleep=Sleeps())
    assert left_in(tmp_path) == []


@pytest.mark.parametrize("ctype", ["application/pdf", "text/html; charset=utf-8", ""])
def test_html_page_served_as_pdf_is_refused(server, tmp_path, ctype):
    page = b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>" + b"x" * 3000 + b"</body>"
    url = server.add("/paper.pdf", Reply(200, page, {"Content-Type": ctype} if ctype else {}))
    says = r"did not return a PDF but an HTML page titled 'Just a moment\.\.\.'"
    with pytest.raises(NetworkError, match=says) as info:
        fetch.download_pdf(url, tmp_path / "p.pdf", FAST, sleep=Sleeps())
    assert server.hits["/paper.pdf"] == 1 and "\n" not in str(info.value)
    assert left_in(tmp_path) == []


def test_json_and_tiny_bodies_are_named(server, tmp_path):
    server.add("/api.pdf", Reply(200, b'{"error": "no"}', {"Content-Type": "application/json"}))
    server.add("/empty.pdf", Reply(200, b""))
    with pytest.raises(NetworkError, match="but JSON"):
        fetch.download_pdf(server.base + "/api.pdf", tmp_path / "p.pdf", FAST)
    with pytest.raises(NetworkError, match="but an empty response"):
        fetch.download_pdf(server.base + "/empty.pdf", tmp_path / "p.pdf", FAST)


def test_pdf_header_over_garbage_is_refused_after_download(server, tmp_path):
    url = server.pdf("/garbage.pdf", b"%PDF-1.7\n" + os.urandom(5000), send_length=False)
    with pytest.raises(NetworkError, match="starts like a PDF but cannot be read"):
        fetch.download_pdf(url, tmp_path / "p.pdf", FAST)
    assert left_in(tmp_path) == []


def test_connection_refused_is_retried_then_reported(tmp_path):
    sleeps = Sleeps()
    url = f"http://127.0.0.1:{closed_port()}/paper.pdf"
    with pytest.raises(NetworkError, match=r"connection refused.*tried 3 times"):
        fetch.download_pdf(url, tmp_path / "p.pdf", FAST, sleep=sleeps)
    assert sleeps == [0.5, 1.0] and left_in(tmp_path) == []


def test_offline_is_said_plainly_and_not_retried(monkeypatch, tmp_path):
    def no_dns(*_args, **_kw):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(var, raising=False)
    sleeps = Sleeps()
    with pytest.raises(fetch.OfflineError, match=r"cannot look up arxiv\.org: no network connection"):
        fetch.download_pdf("http://arxiv.org/pdf/1706.03762", tmp_path / "p.pdf", FAST, sleep=sleeps)
    assert sleeps == [] and left_in(tmp_path) == []


def test_progress_reports_grow_to_the_total(server, tmp_path):
    big = make_pdf(pad_bytes=300_000)
    url = server.pdf("/big.pdf", big)
    seen: list[tuple[int, int | None]] = []
    fetch.download_pdf(url, tmp_path / "p.pdf", FAST, on_progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (len(big), len(big))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and len(seen) > 2


def test_fetch_arxiv_metadata_from_the_api(server):
    server.add("/api/query?id_list=1706.03762", Reply(200, ATOM_ATTENTION.encode(),
                                                      {"Content-Type": "application/atom+xml"}))
    ep = fetch.Endpoints(arxiv_api=server.base + "/api/query", arxiv_pdf_base=server.base + "/pdf")
    plan = fetch.parse_source("https://arxiv.org/abs/1706.03762", ep)
    meta = fetch.fetch_arxiv_metadata(plan, FAST)
    assert meta is not None and meta.title == "Attention Is All You Need" and meta.version == "v7"
    # a record of another version than the one asked for is not this paper's record
    server.add("/api/query?id_list=1706.03762v2", Reply(200, ATOM_ATTENTION.encode()))
    assert fetch.fetch_arxiv_metadata(plan.with_version("v2"), FAST) is None
    server.add("/api/query?id_list=1706.03762v3", Reply(200, ATOM_EMPTY.encode()))
    assert fetch.fetch_arxiv_metadata(plan.with_version("v3"), FAST) is None


# ---------------------------------------------------------------------------------------------------------------
# fetch_paper.py end to end


@pytest.fixture
def env(server, monkeypatch, tmp_path):
    """Points the script at the local server, with instant retries and a temp folder we can inspect."""
    monkeypatch.setenv("AIPR_ARXIV_API", server.base + "/api/query")
    monkeypatch.setenv("AIPR_ARXIV_PDF_BASE", server.base + "/pdf")
    monkeypatch.setenv("AIPR_OPENREVIEW_BASE", server.base + "/openreview")
    monkeypatch.setenv("AIPR_HTTP_BACKOFF", "0")
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmpdir))
    monkeypatch.setattr(tempfile, "tempdir", str(tmpdir))  # for in-process runs
    return tmpdir


@pytest.fixture(scope="module")
def script_module():
    """scripts/fetch_paper.py loaded as a module, to run it in-process where a subprocess would only cost time."""
    spec = importlib.util.spec_from_file_location("fetch_paper_script", SCRIPTS / "fetch_paper.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def fetch_paper(script_module, capsys):
    """Runs fetch_paper.py's main through the same cli.run a user's run goes through; result like run_script's."""
    def run(*args: object) -> SimpleNamespace:
        capsys.readouterr()
        code = script_module.cli.run("fetch_paper.py", script_module.main, [str(a) for a in args])
        out = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)

    return run


def one_error_line(proc, code: int) -> str:
    assert proc.returncode == code, proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("fetch_paper.py: ")]
    assert len(errors) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.rstrip("\n").splitlines()[-1] == errors[0]
    return errors[0]


def test_help_exits_0_and_shows_examples():
    proc = run_script("fetch_paper", "--help")
    assert proc.returncode == 0
    assert "examples:" in proc.stdout and "fetch_paper.py 1706.03762" in proc.stdout
    assert "--max-mb" in proc.stdout and "(default: 200.0)" in proc.stdout


@pytest.mark.parametrize("source", ["hello world", "ftp://x", "2402.1715", "https://arxiv.org/list/cs.LG/recent"])
def test_bad_source_is_exit_1_in_one_line(fetch_paper, source, tmp_path):
    proc = fetch_paper(source, "--root", tmp_path / "notes")
    line = one_error_line(proc, 1)
    assert line.startswith("fetch_paper.py: error: ")
    assert proc.stdout == "" and not (tmp_path / "notes").exists()


def test_bad_source_as_a_user_runs_it():
    for source in ("hello world", "ftp://x"):
        proc = run_script("fetch_paper", source)
        assert one_error_line(proc, 1).startswith("fetch_paper.py: error: ")
        assert proc.stdout == ""


def test_arxiv_id_makes_the_note_folder_with_source_yaml(server, env, tmp_path, paper_pdf):
    server.add("/api/query?id_list=1706.03762", Reply(200, ATOM_ATTENTION.encode(),
                                                      {"Content-Type": "application/atom+xml"}))
    server.pdf("/pdf/1706.03762v7", paper_pdf)  # the version the API names, so PDF and metadata agree
    root = tmp_path / "notes"
    proc = run_script("fetch_paper", "arXiv:1706.03762", "--root", root, "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    folder = Path(out["folder"])
    assert folder.parent == root
    assert (folder / "paper.pdf").read_bytes() == paper_pdf
    assert Path(out["pdf"]) == folder / "paper.pdf" and (folder / "README.md").is_file()
    assert out["arxiv_id"] == "1706.03762" and out["version"] == "v7"
    assert out["title"] == "Attention Is All You Need" and out["sha256"] == hashlib.sha256(paper_pdf).hexdigest()
    src = yaml.safe_load((folder / "source.yaml").read_text(encoding="utf-8"))
    assert src["arxiv_id"] == "1706.03762" and src["version"] == "v7"
    assert src["title"] == "Attention Is All You Need"
    assert src["authors"] == ["Ashish Vaswani", "Noam Shazeer", "Łukasz Kaiser"]
    assert src["abstract"].startswith("The dominant sequence transduction models")
    assert src["categories"] == ["cs.CL", "cs.LG"]
    assert (src["published"], src["updated"]) == ("2017-06-12T17:57:34Z", "2023-08-02T00:41:18Z")
    assert src["abs_url"] == "https://arxiv.org/abs/1706.03762v7" and src["kind"] == "arxiv"
    assert src["pdf_sha256"] == out["sha256"]
    assert server.hits == {"/api/query?id_list=1706.03762": 1, "/pdf/1706.03762v7": 1}
    assert downloads_left_in(env) == []


def test_abs_link_and_versioned_pdf_link_go_to_that_version(fetch_paper, server, env, tmp_path, paper_pdf):
    atom_v5 = ATOM_ATTENTION.replace("1706.03762v7", "1706.03762v5")
    server.add("/api/query?id_list=1706.03762v5", Reply(200, atom_v5.encode()))
    server.pdf("/pdf/1706.03762v5", paper_pdf)
    root = tmp_path / "notes"
    proc = fetch_paper("https://arxiv.org/pdf/1706.03762v5.pdf", "--root", root, "--name", "transformer")
    assert proc.returncode == 0, proc.stderr
    assert (root / "transformer" / "paper.pdf").read_bytes() == paper_pdf
    assert "transformer/paper.pdf" in proc.stdout and "arXiv:1706.03762v5" in proc.stdout
    src = yaml.safe_load((root / "transformer" / "source.yaml").read_text(encoding="utf-8"))
    assert src["version"] == "v5" and src["source"] == "https://arxiv.org/pdf/1706.03762v5.pdf"


def test_arxiv_api_down_still_gets_the_pdf(fetch_paper, server, env, tmp_path, paper_pdf):
    server.add("/api/query?id_list=1706.03762", Reply(503))
    server.pdf("/pdf/1706.03762", paper_pdf)
    root = tmp_path / "notes"
    proc = fetch_paper("1706.03762", "--root", root, "--name", "attention", "--retries", "1")
    assert proc.returncode == 0, proc.stderr
    assert "warning: no arXiv metadata (HTTP 503" in proc.stderr
    src = yaml.safe_load((root / "attention" / "source.yaml").read_text(encoding="utf-8"))
    assert src["arxiv_id"] == "1706.03762" and "title" not in src and "version" not in src
    assert server.hits["/api/query?id_list=1706.03762"] == 2


def test_old_style_id(fetch_paper, server, env, tmp_path, paper_pdf):
    server.add("/api/query?id_list=cs/0112017", Reply(200, ATOM_OLD_STYLE.encode()))
    server.pdf("/pdf/cs/0112017v1", paper_pdf)
    proc = fetch_paper("cs/0112017", "--root", tmp_path / "notes", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    src = yaml.safe_load(Path(out["source_yaml"]).read_text(encoding="utf-8"))
    assert (src["arxiv_id"], src["version"], src["doi"]) == ("cs/0112017", "v1", "10.1000/xyz")


def test_openreview_forum_link_downloads_its_pdf(server, env, tmp_path, paper_pdf):
    server.pdf("/openreview/pdf?id=YicbFdNTTy", paper_pdf)
    root = tmp_path / "notes"
    proc = run_script("fetch_paper", "https://openreview.net/forum?id=YicbFdNTTy&noteId=x1", "--root", root,
                      "--name", "vit", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["kind"] == "openreview" and out["arxiv_id"] is None
    assert (root / "vit" / "paper.pdf").read_bytes() == paper_pdf
    src = yaml.safe_load((root / "vit" / "source.yaml").read_text(encoding="utf-8"))
    assert src["openreview_id"] == "YicbFdNTTy" and src["kind"] == "openreview"
    assert list(server.hits) == ["/openreview/pdf?id=YicbFdNTTy"]  # no arXiv API call


def test_direct_link_through_redirects_with_progress(server, env, tmp_path):
    big = make_pdf(pad_bytes=1_300_000)
    server.add("/go", Reply(302, headers={"Location": "/mirror/paper.pdf"}))
    server.pdf("/mirror/paper.pdf", big)
    root = tmp_path / "notes"
    proc = run_script("fetch_paper", server.base + "/go", "--root", root, "--name", "big", "--json")
    assert proc.returncode == 0, proc.stderr
    assert (root / "big" / "paper.pdf").read_bytes() == big
    assert f"100% of {len(big) / fetch.MB:.1f} MB" in proc.stderr and " 10% of" in proc.stderr
    out = json.loads(proc.stdout)
    assert out["final_url"] == server.base + "/mirror/paper.pdf" and out["bytes"] == len(big)


def test_rerun_is_idempotent_and_replaces_nothing_without_force(fetch_paper, server, env, tmp_path, paper_pdf):
    server.pdf("/a.pdf", paper_pdf)
    root = tmp_path / "notes"
    first = fetch_paper(server.base + "/a.pdf", "--root", root, "--name", "p", "--json")
    assert first.returncode == 0, first.stderr
    source_yaml = root / "p" / "source.yaml"
    before = source_yaml.read_text(encoding="utf-8")
    again = fetch_paper(server.base + "/a.pdf", "--root", root, "--name", "p", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["source_yaml_state"] == "unchanged"
    assert source_yaml.read_text(encoding="utf-8") == before
    # the link now serves another PDF: without --force the folder keeps its paper.pdf and its source.yaml
    other = make_pdf(title="A Different Paper")
    server.pdf("/a.pdf", other)
    kept = fetch_paper(server.base + "/a.pdf", "--root", root, "--name", "p", "--json")
    assert kept.returncode == 0, kept.stderr
    assert json.loads(kept.stdout)["source_yaml_state"] == "skipped" and "pass --force" in kept.stderr
    assert (root / "p" / "paper.pdf").read_bytes() == paper_pdf and source_yaml.read_text(encoding="utf-8") == before
    forced = fetch_paper(server.base + "/a.pdf", "--root", root, "--name", "p", "--force", "--json")
    assert forced.returncode == 0, forced.stderr
    assert json.loads(forced.stdout)["source_yaml_state"] == "written"
    assert (root / "p" / "paper.pdf").read_bytes() == other
    assert yaml.safe_load(source_yaml.read_text(encoding="utf-8"))["pdf_sha256"] == hashlib.sha256(other).hexdigest()


FAILURES = [
    # (route, replies, extra args, what the one line says)
    ("/pdf/2402.17152", [Reply(404)], [], r"arXiv has no paper 2402\.17152 \(HTTP 404"),
    ("/pdf/2402.17152", [Reply(500)], [], "HTTP 500 Internal Server Error from .*tried 4 times"),
    ("/pdf/2402.17152", [Reply(429, headers={"Retry-After": "0"})], ["--retries", "1"], "HTTP 429 .*tried 2 times"),
    ("/pdf/2402.17152", [Reply(200, b"<html><title>Sign in</title></html>" + b" " * 2000,
                               {"Content-Type": "text/html"})], [], "did not return a PDF but an HTML page"),
    ("/pdf/2402.17152", "TRUNCATED", [], "cut short"),
    ("/pdf/2402.17152", "LARGE", ["--max-mb", "0.001"], "over the limit of 1 KB"),
    ("/pdf/2402.17152", "SLOW", ["--timeout", "0.3", "--retries", "0"], "no answer from .* within 0.3 s"),
]


@pytest.mark.parametrize(("route", "replies", "args", "says"), FAILURES,
                         ids=["404", "500", "429", "html", "truncated", "too-large", "slow"])
def test_failed_downloads_leave_nothing_behind(fetch_paper, server, env, tmp_path, paper_pdf,
                                               route, replies, args, says):
    if replies == "TRUNCATED":
        replies = [Reply(200, paper_pdf, length=len(paper_pdf) + 100)]
    elif replies == "LARGE":
        replies = [Reply(200, paper_pdf)]
    elif replies == "SLOW":
        replies = [Reply(200, paper_pdf, delay_s=30)]
    server.add(route, *replies)
    server.add("/api/query?id_list=2402.17152", Reply(200, ATOM_EMPTY.encode()))
    root = tmp_path / "notes"
    proc = fetch_paper("https://arxiv.org/abs/2402.17152", "--root", root, *args)
    line = one_error_line(proc, 4)
    assert line.startswith("fetch_paper.py: error: ")
    assert re.search(says, line), line
    assert not root.exists(), left_in(root)
    assert downloads_left_in(env) == []  # no partial download in the temp folder either
    assert proc.stdout == ""


def test_offline_is_exit_4_in_one_line(fetch_paper, env, tmp_path, monkeypatch):
    dead = f"http://127.0.0.1:{closed_port()}"
    monkeypatch.setenv("AIPR_ARXIV_API", dead + "/api/query")
    monkeypatch.setenv("AIPR_ARXIV_PDF_BASE", dead + "/pdf")
    root = tmp_path / "notes"
    proc = fetch_paper("2402.17152", "--root", root, "--retries", "0")
    line = one_error_line(proc, 4)
    assert "cannot connect to 127.0.0.1" in line and "connection refused" in line
    assert not root.exists()


def test_bad_numbers_are_exit_1(fetch_paper, tmp_path):
    for args in (["--timeout", "0"], ["--max-mb", "-1"], ["--retries", "-2"]):
        proc = fetch_paper("2402.17152", "--root", tmp_path / "notes", *args)
        one_error_line(proc, 1)



def atom_for(arxiv_id: str, version: str, title: str, authors: list[str]) -> bytes:
    """A one-entry arXiv API answer, as export.arxiv.org shapes it."""
    names = "".join(f"<author><name>{escape(a)}</name></author>" for a in authors)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<entry><id>http://arxiv.org/abs/{arxiv_id}{version}</id><updated>2020-01-01T00:00:00Z</updated>"
            f"<published>2019-01-01T00:00:00Z</published><title>{escape(title)}</title><summary>An abstract.</summary>"
            f'{names}<category term="cs.LG"/></entry></feed>').encode()


@pytest.mark.corpus
def test_real_papers_by_arxiv_id(corpus, server, env, tmp_path):
    rows = [ln.split("\t") for ln in (corpus / "meta.tsv").read_text(encoding="utf-8").splitlines()[1:] if ln]
    picked = [r for r in rows if r[0] in ("attention", "resnet")]
    assert len(picked) == 2
    root = tmp_path / "notes"
    for slug, title, first_author, arxiv_id in picked:
        real = (corpus / "pdfs" / f"{slug}.pdf").read_bytes()
        server.add(f"/api/query?id_list={arxiv_id}", Reply(200, atom_for(arxiv_id, "v3", title, [first_author])))
        server.pdf(f"/pdf/{arxiv_id}v3", real)
        proc = run_script("fetch_paper", f"https://arxiv.org/abs/{arxiv_id}", "--root", root, "--json")
        assert proc.returncode == 0, proc.stderr
        out = json.loads(proc.stdout)
        assert Path(out["pdf"]).read_bytes() == real
        assert ("100% of" in proc.stderr) == (len(real) >= fetch.MB)  # progress for the large ones only
        src = yaml.safe_load(Path(out["source_yaml"]).read_text(encoding="utf-8"))
        assert (src["title"], src["authors"]) == (title, [first_author])
        assert (src["arxiv_id"], src["version"]) == (arxiv_id, "v3")
    assert len(list(root.iterdir())) == 2


def test_offline_without_dns_is_exit_4_before_any_download(fetch_paper, monkeypatch, tmp_path):
    """The real arXiv addresses, with name lookups failing as they do offline (in-process, so no lookup leaves)."""
    looked_up: list[str] = []

    def no_dns(host, *_args, **_kw):
        looked_up.append(host)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
                "AIPR_ARXIV_API", "AIPR_ARXIV_PDF_BASE"):
        monkeypatch.delenv(var, raising=False)
    root = tmp_path / "notes"
    proc = fetch_paper("https://arxiv.org/abs/1706.03762", "--root", root)
    assert one_error_line(proc, 4).startswith("fetch_paper.py: error: cannot look up export.arxiv.org: no network")
    assert looked_up == ["export.arxiv.org"]  # stops at the first lookup, no retries
    assert not root.exists()
