"""The HTML report in a real browser (headless Chromium): it renders, its script runs without a
console error (the Content-Security-Policy would report a blocked script there), and sorting,
filtering and opening a call from the table work. Skipped when Chromium is not installed
(.ci/run installs Debian's package when it can)."""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import shutil
import struct
import subprocess
import time
import zlib
from pathlib import Path

import pytest

from poise.api import Scorer
from poise.batch import InputError
from poise.report import ReportContext, atomic_write, html

SAMPLES = Path(__file__).resolve().parents[2] / "sample_transcripts"
TIMEOUT = 120
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars"]


@pytest.fixture(scope="module")
def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        pytest.skip("chromium not installed: neither `chromium` nor `chromium-browser` is on PATH "
                    "(Debian: apt-get install chromium; .ci/run does this when run as root)")
    return exe


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, list[str]]:
    """The report for sample_transcripts/, written as `poise score` writes it; and the call ids."""
    scorer = Scorer()
    items = list(scorer.score_files([SAMPLES]))
    results = [i for i in items if not isinstance(i, InputError)]
    errors = [i for i in items if isinstance(i, InputError)]
    ctx = ReportContext(rules_hash=scorer.rules_hash, scorecard_name=scorer.scorecard.name,
                        scorecard_hash=scorer.scorecard.hash, poise_version="0.0.test", group_by="team")
    path = tmp_path_factory.mktemp("html") / "report.html"
    atomic_write(path, html.render(results, errors, ctx))
    return path, [r.id for r in results]


def run_chromium(exe: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([exe, *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args],
                          capture_output=True, text=True, timeout=TIMEOUT)


def console_lines(stderr: str) -> list[str]:
    """Chromium's log lines for the page's console (INFO:CONSOLE or ERROR:CONSOLE, by version)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def png_facts(path: Path) -> tuple[int, int, int]:
    """Width, height and how many distinct byte values the decoded image data holds (a blank or
    one-colour page has a handful)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    return width, height, len(set(zlib.decompress(idat)))


def test_screenshot_renders_a_real_page(chromium, report, tmp_path):
    path, _ = report
    png = tmp_path / "report.png"
    done = run_chromium(chromium, tmp_path / "profile", f"--screenshot={png}", "--window-size=1280,2000",
                        path.as_uri())
    assert png.is_file(), f"no screenshot (exit {done.returncode}):\n{done.stderr[-3000:]}"
    width, height, distinct = png_facts(png)
    assert (width, height) == (1280, 2000)
    assert png.stat().st_size > 30_000 and distinct > 100, "the screenshot looks blank"
    problems = [line for line in console_lines(done.stderr)
                if "Uncaught" in line or "ERROR:CONSOLE" in line or "Content Security Policy" in line]
    assert problems == []


def test_dumped_dom_shows_the_calls_and_the_script_ran(chromium, report, tmp_path):
    path, ids = report
    done = run_chromium(chromium, tmp_path / "profile", "--dump-dom", path.as_uri())
    dom = done.stdout
    assert re.search(r'<body[^>]*data-ready="1"', dom), \
        f"the page's script did not finish (exit {done.returncode}):\n{done.stderr[-3000:]}"
    for call_id in ids:  # as the DOM serialises text
        assert call_id.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in dom
    assert console_lines(done.stderr) == [], "the page wrote to the console"
    assert "Uncaught" not in done.stderr and "ERROR:CONSOLE" not in done.stderr


# -- driving the page: the DevTools protocol over a pipe (fd 3 in, fd 4 out, NUL-separated JSON) ------
class DevTools:
    def __init__(self, exe: str, profile: Path):
        self.to_chrome = os.pipe()
        self.from_chrome = os.pipe()
        child_in, child_out = self.to_chrome[0], self.from_chrome[1]

        def wire_fds():  # in the child, before exec: its fd 3 reads our commands, fd 4 writes replies
            a = fcntl.fcntl(child_in, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(child_out, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.log = open(profile.parent / "chromium.log", "w+")
        self.proc = subprocess.Popen([exe, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe",
                                      "about:blank"], stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, preexec_fn=wire_fds, pass_fds=(3, 4))
        os.close(child_in)
        os.close(child_out)
        self.deadline = time.monotonic() + TIMEOUT
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict] = []
        self.session: str | None = None

    def _read(self) -> dict:
        while b"\0" not in self.buffer:
            left = self.deadline - time.monotonic()
            ready, _, _ = select.select([self.from_chrome[0]], [], [], max(0.0, left))
            if not ready:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self.from_chrome[0], 1 << 16)
            if not chunk:
                self.log.seek(0)
                raise RuntimeError("chromium closed the pipe:\n" + self.log.read()[-3000:])
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, params: dict | None = None, session: bool = True) -> dict:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.to_chrome[1], json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def wait_for(self, method: str) -> dict:
        while True:
            for event in self.events:
                if event.get("method") == method:
                    self.events.remove(event)
                    return event
            self.events.append(self._read())

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:60]}...: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url: str) -> None:
        for _ in range(50):
            pages = [t for t in self.send("Target.getTargets", session=False)["targetInfos"] if t["type"] == "page"]
            if pages:
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("chromium opened no page")
        self.session = self.send("Target.attachToTarget", {"targetId": pages[0]["targetId"], "flatten": True},
                                 session=False)["sessionId"]
        for domain in ("Runtime", "Log", "Page"):
            self.send(f"{domain}.enable")
        self.send("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired")

    def problems(self) -> list[str]:
        """Console calls, uncaught exceptions and error/warning log entries (CSP violations) so far."""
        out = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                out.append(f"exception: {params['exceptionDetails'].get('exception', {}).get('description')}")
            elif method == "Runtime.consoleAPICalled":
                out.append(f"console.{params['type']}: {[a.get('value') for a in params.get('args', [])]}")
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                out.append(f"log {params['entry']['level']}: {params['entry']['text']}")
        return out

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                try:
                    self.send("Browser.close", session=False)
                except (RuntimeError, TimeoutError, OSError):
                    pass
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        finally:
            for fd in (self.to_chrome[1], self.from_chrome[0]):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self.log.close()


ROWS = "[...document.querySelectorAll('#calls-table tbody tr')]"
COLUMN = ("(name, cell) => { const heads = [...document.querySelectorAll('#calls-table thead th')];"
          " const i = heads.findIndex(th => th.textContent.trim().startsWith(name));"
          f" return {ROWS}.filter(r => !r.hidden).map(r => cell(r.cells[i])); }}")
CLICK = ("name => [...document.querySelectorAll('#calls-table thead th')]"
         ".find(th => th.textContent.trim().startsWith(name)).querySelector('button').click()")


def test_sorting_filtering_and_opening_a_call(chromium, report, tmp_path):
    path, ids = report
    browser = DevTools(chromium, tmp_path / "profile")
    try:
        browser.open(path.as_uri())
        assert browser.evaluate("document.body.dataset.ready") == "1"

        def column(name: str, cell: str = "c => c.dataset.v ?? c.textContent.trim()"):
            return browser.evaluate(f"({COLUMN})({json.dumps(name)}, {cell})")

        def click(name: str) -> None:
            browser.evaluate(f"({CLICK})({json.dumps(name)})")

        def aria(name: str):
            return browser.evaluate("[...document.querySelectorAll('#calls-table thead th')].find(th => "
                                    f"th.textContent.trim().startsWith({json.dumps(name)})).getAttribute('aria-sort')")

        def numbers(values):
            return [float(v) for v in values if v != ""]

        scores = column("Score")
        assert len(scores) == len(ids)
        assert numbers(scores) == sorted(numbers(scores)) and aria("Score") == "ascending"  # worst first
        click("Score")
        assert numbers(column("Score")) == sorted(numbers(scores), reverse=True) and aria("Score") == "descending"
        click("Credits")  # counts sort most first
        credits = [int(v) for v in column("Credits")]
        assert credits == sorted(credits, reverse=True) and aria("Credits") == "descending" and aria("Score") is None
        click("Agent")  # calls without an agent stay last either way
        agents = column("Agent")
        blanks = [v == "" for v in agents]
        assert blanks == sorted(blanks) and any(blanks) and not all(blanks)
        click("Agent")
        assert [v == "" for v in column("Agent")] == blanks
        click("Call")
        assert sorted(column("Call", "c => c.textContent.trim()")) == sorted(ids)

        browser.evaluate("(() => { const f = document.getElementById('call-filter'); f.value = 'billing';"
                         " f.dispatchEvent(new Event('input')); })()")
        shown = column("Call", "c => c.textContent.trim()")
        assert 0 < len(shown) < len(ids)
        assert browser.evaluate("document.getElementById('call-count').textContent") == \
            f"{len(shown)} of {len(ids)} calls"

        worst = browser.evaluate(f"{ROWS}.find(r => r.cells[1].dataset.v !== '').cells[0].querySelector('a')"
                                 ".getAttribute('href')")
        assert browser.evaluate(f"document.getElementById({json.dumps(worst[1:])}).open") is False
        browser.evaluate(f"document.querySelector('#calls-table a[href={json.dumps(worst)}]').click()")
        deadline = time.monotonic() + 10
        while not browser.evaluate(f"document.getElementById({json.dumps(worst[1:])}).open"):
            assert time.monotonic() < deadline, "clicking a call id did not open its details"
            time.sleep(0.1)
        assert browser.evaluate("document.querySelectorAll('details.call[open] ol.transcript mark.hl').length") > 0
        assert browser.problems() == []
    finally:
        browser.close()
