"""`mkdocs serve` (and `properdocs serve`) on a copy of the project, edited while it runs.

The plugin watches `agreements/`: an edit to an agreement rebuilds the site; an
invalid edit prints its `file:line:col` error and the server keeps running and
answering; the next valid edit recovers. Every wait is bounded, and the server is
always stopped, whatever the test's outcome.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.plugins import BasePlugin, event_priority

from helpers import BUILD_DAY, BUILD_EPOCH, copy_project, results_page, tool_env, venv_script

EPOCH = BUILD_EPOCH
TODAY = BUILD_DAY
#: The longest any one wait may take: the first build, or a rebuild after an edit.
WAIT = 60.0
#: How long a page request may take while the last edit is invalid.
ANSWER_WITHIN = 10.0


@dataclass
class Server:
    process: subprocess.Popen
    url: str  # the site's root as served, e.g. http://127.0.0.1:4321/mkdocs-sla/
    lines: list[str] = field(default_factory=list)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def alive(self) -> bool:
        return self.process.poll() is None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(tool: str, config: Path) -> Iterator[Server]:
    """`<tool> serve` of `config` on a free loopback port, stopped on exit."""
    prefix = urlsplit(yaml.safe_load(config.read_text(encoding="utf-8"))["site_url"]).path.strip("/")
    port = free_port()
    env = tool_env({**EPOCH, "TMPDIR": str(config.parent)})  # serve's temporary site dir stays in tmp_path
    process = subprocess.Popen(
        [*venv_script(tool), "serve", "-f", str(config), "-a", f"127.0.0.1:{port}"],
        cwd=config.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    server = Server(process, f"http://127.0.0.1:{port}/" + (prefix + "/" if prefix else ""))
    # Drain the output all along, so the server never blocks on a full pipe.
    reader = threading.Thread(target=lambda: server.lines.extend(iter(process.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # serve's own clean shutdown (KeyboardInterrupt)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        reader.join(timeout=5)
        process.stdout.close()


def fetch(url: str, timeout: float = 5.0) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def wait_until(server: Server, what: str, condition: Callable[[], bool], timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if not server.alive():
            pytest.fail(f"the server exited ({server.process.returncode}) while waiting for {what}:\n{server.output}")
        try:
            if condition():
                return
        except (OSError, urllib.error.URLError):
            pass  # not answering yet
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {timeout:.0f} s; server output:\n{server.output}")
        time.sleep(0.2)


def page_shows(server: Server, path: str, text: str) -> Callable[[], bool]:
    def check() -> bool:
        status, html = fetch(server.url + path)
        return status == 200 and text in unescape(html)

    return check


@dataclass
class Edits:
    """An agreement file of the copied project, and its title line."""

    file: Path
    agreement_id: str
    original: str
    title_line: int  # 1-based

    def write(self, title: str, duplicate: bool = False) -> None:
        lines = self.original.splitlines(keepends=True)
        lines[self.title_line - 1] = f"title: {title}\n"
        if duplicate:
            lines.insert(self.title_line, f"title: {title} (twice)\n")
        self.file.write_text("".join(lines), encoding="utf-8")


@pytest.fixture
def project(tmp_path) -> tuple[Path, Edits]:
    """A copy of the project (mkdocs.yml, docs, theme, agreements) and an agreement to edit:
    the first one whose file has a single top-level `title:` (one version)."""
    copy_project(tmp_path)
    # The edits below rewrite a published version, which `versions.lock` rightly refuses; this
    # test is about the preview's rebuilds, so the copy drops the locks.
    for lock in (tmp_path / "agreements").glob("*/versions.lock"):
        lock.unlink()
    for file in sorted((tmp_path / "agreements").glob("*/agreement.yaml")):
        text = file.read_text(encoding="utf-8")
        titles = [n for n, line in enumerate(text.splitlines(), 1) if line.startswith("title:")]
        if len(titles) == 1:
            return tmp_path / "mkdocs.yml", Edits(file, file.parent.name, text, titles[0])
    pytest.fail("no example agreement with a single version to edit")


def error_at(edits: Edits) -> re.Pattern[str]:
    """The loader's message for the duplicate `title:` that Edits.write(duplicate=True) adds."""
    return re.compile(
        rf"agreements/{re.escape(edits.agreement_id)}/agreement\.yaml:{edits.title_line + 1}:1: error: .*duplicate key `title`"
    )


@pytest.mark.parametrize("tool", ["mkdocs", "properdocs"])
def test_serve_rebuilds_on_an_agreement_edit_and_recovers_after_an_invalid_one(project, tool):
    config, edits = project
    page = f"agreements/{edits.agreement_id}/"
    with serving(tool, config) as server:
        wait_until(server, "catalog page", page_shows(server, "agreements/", edits.agreement_id))

        edits.write("Renamed while serving")
        wait_until(server, "rebuild with the new title", page_shows(server, page, "Renamed while serving"))

        edits.write("Invalid while serving", duplicate=True)
        wait_until(server, "file:line:col error in the output", lambda: error_at(edits).search(server.output) is not None)
        time.sleep(1)  # had the failed build stopped the server, it would have by now
        assert server.alive(), f"the server stopped after an invalid edit:\n{server.output}"

        edits.write("Valid again while serving")
        wait_until(server, "recovery with the newer title", page_shows(server, page, "Valid again while serving"))
        status, html = fetch(server.url + "agreements/")
        assert status == 200 and "Valid again while serving" in unescape(html)
        assert server.alive()


def test_serve_answers_pages_while_the_last_edit_is_invalid(project):
    """Between an invalid edit and the next valid one a reader still gets pages (the last
    good site, or one showing the error) instead of a request that never returns."""
    config, edits = project
    page = f"agreements/{edits.agreement_id}/"
    with serving("mkdocs", config) as server:
        wait_until(server, "catalog page", page_shows(server, "agreements/", edits.agreement_id))
        edits.write("Renamed while serving")
        wait_until(server, "rebuild with the new title", page_shows(server, page, "Renamed while serving"))

        edits.write("Invalid while serving", duplicate=True)
        wait_until(server, "file:line:col error in the output", lambda: error_at(edits).search(server.output) is not None)
        answers = {}
        for path in (page, "agreements/", ""):
            try:
                answers[path] = fetch(server.url + path, timeout=ANSWER_WITHIN)
            except (OSError, urllib.error.URLError) as error:  # socket.timeout is an OSError
                answers[path] = (None, f"no answer within {ANSWER_WITHIN:.0f} s ({error})")
                break  # the others would wait as long
        assert server.alive(), f"the server stopped after an invalid edit:\n{server.output}"
        unanswered = {path: body for path, (status, body) in answers.items() if status != 200}
        assert not unanswered, (
            f"while {edits.file.relative_to(config.parent)} is invalid, the server does not answer:\n"
            + "\n".join(f"  /{path}: {body}" for path, body in unanswered.items())
            + f"\nserver output:\n{server.output}"
        )
        _status, html = answers[page]
        assert "Renamed while serving" in unescape(html) or error_at(edits).search(unescape(html)), (
            "the page should be the last good one or show the error"
        )


def nav_links(html: str) -> dict[str, str]:
    """The navigation's links of a page: address -> text."""
    found = re.findall(r'<a href="([^"]*)" class="md-nav__link[^"]*">\s*<span class="md-ellipsis">\s*(.*?)\s*</span>', html, re.S)
    return dict(found)


def test_a_preview_rebuild_renders_only_the_edited_agreement_and_brings_listings_and_search_up_to_date(project):
    """The plugin keeps each agreement's render across rebuilds and MkDocs' pages where their
    Markdown is unchanged (preview.py): an edit re-renders one agreement; the catalog, the
    credits by period and the search index still show the edit, and keep every other page."""
    from mkdocs_sla.core.audiences import customer_key
    from mkdocs_sla.core.evaluate import evaluate
    from mkdocs_sla.present import billing, display
    from mkdocs_sla.source.load import load

    config, edits = project
    root = config.parent / "agreements"
    with serving("mkdocs", config) as server:
        wait_until(server, "catalog page", page_shows(server, "agreements/", edits.agreement_id))
        edited_page = f"agreements/{edits.agreement_id}/"
        ids = [p.name for p in root.iterdir() if (p / "agreement.yaml").is_file()]
        before = {i: nav_links(fetch(server.url + f"agreements/{i}/")[1]) for i in ids}

        # The format reference (kept, as the generated pages are) and a hand-written page beside it.
        def served(path: str) -> tuple[int, str]:
            status, text = fetch(server.url + path)
            return status, re.sub(r"livereload\(\d+, \d+\)", "", text)  # the server's build stamps

        beside = {path: served(path) for path in ("reference/format/", "reference/how-to-read/", "schema/agreement.schema.json")}
        assert all(status == 200 for status, _ in beside.values()), {path: status for path, (status, _) in beside.items()}
        edits.write("Renamed in the preview")
        wait_until(server, "the new title in the catalog", page_shows(server, "agreements/", "Renamed in the preview"))
        assert {path: served(path) for path in beside} == beside
        assert page_shows(server, edited_page, "Renamed in the preview")()
        after = nav_links(fetch(server.url + edited_page)[1])
        assert before[edits.agreement_id].keys() == after.keys()
        changed = {href for href in after if before[edits.agreement_id][href] != after[href]}
        assert all("Renamed in the preview" in after[href] for href in changed) and len(changed) <= 1, after
        folders = len([p for p in root.iterdir() if (p / "agreement.yaml").is_file()])
        assert f"sla: rendered 1 of {folders} agreement folders" in server.output, server.output
        _, index = fetch(server.url + "search/search_index.json")
        locations = {entry["location"].split("#")[0] for entry in json.loads(index)["docs"]}
        assert any("Renamed in the preview" in entry["title"] for entry in json.loads(index)["docs"]), "search lost the edit"
        assert {f"agreements/{p.name}/" for p in root.iterdir() if (p / "agreement.yaml").is_file()} <= locations, (
            "search lost unchanged pages"
        )

        # A results file: new charges change the credit on the agreement's credits-by-period page.
        record, outcome = next(
            (r, o)
            for r in load(root).agreements
            for o in evaluate(r).periods
            if o.credit.percent > 0 and o.credit.amount and o.results.results.charges
        )
        results = next(root.joinpath(record.id, "results").glob(f"{outcome.period.label}.*"))
        text, count = re.subn(
            r"(?m)^charges: .*$", f"charges: {outcome.results.results.charges * 3}", results.read_text(encoding="utf-8"), count=1
        )
        assert count == 1
        results.write_text(text, encoding="utf-8")
        after = next(o for o in evaluate(load(root).get(record.id)).periods if o.period.label == outcome.period.label)
        amount = display.money(after.credit.amount, after.terms.credit_terms.currency)
        assert amount != display.money(outcome.credit.amount, outcome.terms.credit_terms.currency)
        wait_until(server, "the new credit on the credits page", page_shows(server, f"agreements/credits/{outcome.period.label}/", amount))
        # That agreement's page is built again, the pages of its sidebar are not: they keep their titles.
        siblings = {href: text for href, text in before[record.id].items() if re.fullmatch(r"\.\./[^/.]+/", href)}
        assert siblings, "the edited agreement should have others in its navigation section"
        assert nav_links(fetch(server.url + f"agreements/{record.id}/")[1]) == before[record.id]
        # The page that shows the period: the agreement's for the latest 12, its year's for earlier ones.
        assert page_shows(server, f"agreements/{results_page(evaluate(load(root).get(record.id)), outcome.period.label)}", amount)()
        # The customer's statement of that period is made again (the others are kept as they were).
        key = customer_key(record.versions[-1].terms)
        assert page_shows(server, f"agreements/statements/{key}/{outcome.period.label}/", amount)()
        status, json_text = fetch(server.url + f"agreements/statements/{key}/{outcome.period.label}.json")
        assert status == 200 and billing.amount(after.credit.amount) in json_text
        # The unchanged agreements' pages, kept from the first build, still answer with their titles.
        for other in load(root).agreements:
            title = other.in_force(TODAY).terms.title
            assert page_shows(server, f"agreements/{other.id}/", title)(), f"{other.id}: no page after the rebuilds"
            assert fetch(server.url + f"agreements/{other.id}/history/")[0] == 200

        # A removed agreement: its pages go, the catalog no longer lists it.
        gone = next(r.id for r in load(root).agreements if r.id not in (record.id, edits.agreement_id))
        shutil.rmtree(root / gone)
        wait_until(server, "the removed agreement's page gone", lambda: fetch(server.url + f"agreements/{gone}/")[0] == 404)
        assert f"{gone}/" not in fetch(server.url + "agreements/")[1]


FREEZE_SCRIPT = """
import gc, sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.livereload import LiveReloadServer

def once(first):
    config = load_config(sys.argv[1], site_dir=sys.argv[2])
    if first:
        config.plugins.on_startup(command="serve", dirty=False)
    config.site_url = "http://127.0.0.1:8000/"
    build(config, serve_url="http://127.0.0.1:8000/")
    return config

terms = sys.argv[3]
text = open(terms, encoding="utf-8").read()
counts = [gc.get_freeze_count()]
for build_number in range(3):
    config = once(build_number == 0)
    counts.append(gc.get_freeze_count())
    if build_number == 0:
        # As `mkdocs serve` does once its first build has returned (the server is not started).
        server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=sys.argv[2])
        config.plugins.on_serve(server, config=config, builder=lambda: None)
        server.server_close()
        counts.append(gc.get_freeze_count())
    open(terms, "w", encoding="utf-8").write(text.replace("title: ", f"title: Frozen heap {build_number} ", 1))
print(*counts)
"""


def test_a_preview_freezes_what_its_first_build_keeps_once(project, tmp_path):
    """Once the server starts, what the first build keeps is out of the collector's sight
    (gc.freeze: a full collection walked a million objects in a rebuild at 2,000 agreements),
    and only once: a later rebuild's objects stay collectable."""
    config, edits = project
    terms = config.parent / "agreements" / edits.agreement_id / "agreement.yaml"
    python = venv_script("python")
    done = subprocess.run(
        [*python, "-c", FREEZE_SCRIPT, str(config), str(tmp_path / "served"), str(terms)],
        cwd=config.parent,
        env=tool_env(EPOCH),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    before, first, served, second, third = map(int, done.stdout.split()[-5:])
    # Frozen when the server starts, after the first build has returned; frozen objects a later
    # rebuild drops are still freed (the count falls), and none of its own are frozen.
    assert before == first == 0 and served > 10_000 and third <= second <= served, done.stdout


@pytest.mark.parametrize("how", ["events", "polling"])
def test_serve_sees_edits_to_the_agreements_by_change_events_or_by_polling(project, tmp_path, how):
    """By default the agreements are watched by the file system's change events (watching.py),
    not by MkDocs' polling, which lists and stats every file twice a second; `watch: polling`
    leaves them to MkDocs. Either way an edit, a new agreement folder, a folder moved out of the
    tree and another edit each show."""
    config, edits = project
    if how == "polling":
        text, count = re.subn(r"(?m)^  - sla:\n", "  - sla:\n      watch: polling\n", config.read_text(encoding="utf-8"))
        assert count == 1
        config.write_text(text, encoding="utf-8")
    root = config.parent / "agreements"
    page = f"agreements/{edits.agreement_id}/"
    with serving("mkdocs", config) as server:
        wait_until(server, "catalog page", page_shows(server, "agreements/", edits.agreement_id))
        wait_until(server, "the watcher's line", lambda: "sla: watching 'agreements'" in server.output)
        polled = re.search(r"Watching paths for changes: (.*)", server.output)
        assert polled is not None, server.output
        if how == "events":
            assert "sla: watching 'agreements' by the file system's change events" in server.output
            assert "'agreements'" not in polled.group(1), polled.group(0)
        else:
            assert "sla: watching 'agreements' by polling" in server.output
            assert "'agreements'" in polled.group(1), polled.group(0)

        edits.write(f"Renamed while watched by {how}")
        wait_until(server, "the new title", page_shows(server, page, f"Renamed while watched by {how}"))

        # A copy of the agreement under a new folder name: a new agreement.
        copy = root / "watched-copy"
        staged = tmp_path / "staged-copy"
        shutil.copytree(edits.file.parent, staged)
        terms = staged / "agreement.yaml"
        terms.write_text(re.sub(r"(?m)^id: .*$", "id: watched-copy", terms.read_text(encoding="utf-8"), count=1), encoding="utf-8")
        staged.rename(copy)  # moved in whole, as a checkout of another branch does
        wait_until(server, "the new agreement's page", page_shows(server, "agreements/watched-copy/", f"Renamed while watched by {how}"))

        # Moved out of the tree whole: no file of it is deleted, the folder goes.
        copy.rename(tmp_path / "moved-out")
        wait_until(server, "the moved agreement's page gone", lambda: fetch(server.url + "agreements/watched-copy/")[0] == 404)

        # With events, the rebuilds after the first list only the folders they name
        # (test_watched_changes.py): an edit still shows.
        edits.write(f"Renamed again while watched by {how}")
        wait_until(server, "the newer title", page_shows(server, page, f"Renamed again while watched by {how}"))
        assert server.alive()


@contextlib.contextmanager
def previews(config_file: Path, site_dir: Path, monkeypatch) -> Iterator[Callable[..., object]]:
    """In-process rebuilds as `mkdocs serve` makes them: a new configuration each time with the
    same plugin instances, started once, and shut down at the end (the watch its first build
    began stops). `rebuild(extra plugins...)` builds once and returns the configuration."""
    monkeypatch.chdir(config_file.parent)
    for name, value in {"NO_MKDOCS_2_WARNING": "1", **EPOCH}.items():
        monkeypatch.setenv(name, value)
    last = None

    def rebuild(**extra: BasePlugin):
        nonlocal last
        config = load_config(str(config_file), site_dir=str(site_dir))
        if last is None:
            config.plugins.on_startup(command="serve", dirty=False)
        for name, plugin in extra.items():
            config.plugins[name] = plugin
        last = config
        build(config, serve_url="http://127.0.0.1:8000/")
        return config

    try:
        yield rebuild
    finally:
        if last is not None:
            last.plugins.on_shutdown()


class _NavRecorder(BasePlugin):
    """The navigation's pages, (path, title), as the sla plugin leaves them."""

    def __init__(self) -> None:
        super().__init__()
        self.pages: list[tuple[str, str]] = []

    @event_priority(-200)  # titles are read as the pages are: by the time they are rendered
    def on_page_context(self, context, page, config, nav):
        self.pages = [(page.file.src_uri, page.title) for page in nav.pages]
        return context


@pytest.mark.parametrize("nav", ["none", "untitled"])
def test_the_format_reference_keeps_its_place_and_title_in_a_preview_navigation(project, tmp_path, monkeypatch, nav):
    """A preview rebuild keeps the format reference as it keeps the generated pages; in the
    navigation it keeps its place and the title of its last build, with a `nav` entry that gives
    it none and without any `nav` (MkDocs' own navigation leaves excluded files out)."""
    config_file, edits = project
    text = config_file.read_text(encoding="utf-8")
    if nav == "none":
        text, count = re.subn(r"(?ms)^nav:\n.*?(?=^\S)", "", text, count=1)
    else:
        text, count = re.subn(r"(?m)^(\s*- )File format: (reference/format\.md)$", r"\1\2", text, count=1)
    assert count == 1
    config_file.write_text(text, encoding="utf-8")
    seen = []
    with previews(config_file, tmp_path / "served", monkeypatch) as rebuild:
        for build_number in range(2):
            recorder = _NavRecorder()
            plugin = rebuild(**{"nav-recorder": recorder}).plugins["sla"]
            seen.append([entry for entry in recorder.pages if entry[0] == "reference/format.md"])
            edits.write(f"Renamed for navigation {build_number}")
    assert seen[0] and seen[1] == seen[0], seen
    assert seen[0][0][1] not in ("Format", None), seen
    # Reused where a `nav` places it; built again where MkDocs' own navigation would drop it.
    assert ("reference/format.md" in plugin.reuse.reused) == (nav != "none")


def test_a_preview_rebuild_puts_a_file_where_a_folder_was_and_a_folder_where_a_file_was(project, tmp_path, monkeypatch):
    """Hand-written files beside the format reference are kept between rebuilds with it: a page
    `reference/extra/index.md` become a file `reference/extra`, and a file `reference/other`
    become a page `reference/other/index.md`, each stands in the site as this build made it."""
    config_file, edits = project
    docs = config_file.parent / "docs" / "reference"
    site = tmp_path / "served" / "reference"
    with previews(config_file, tmp_path / "served", monkeypatch) as rebuild:
        for build_number in range(3):
            if build_number == 0:
                (docs / "extra").mkdir()
                (docs / "extra" / "index.md").write_text("# Extra page\n", encoding="utf-8")
                (docs / "other").write_text("a file named other\n", encoding="utf-8")
            elif build_number == 1:
                shutil.rmtree(docs / "extra")
                (docs / "extra").write_text("a file where a folder was\n", encoding="utf-8")
                (docs / "other").unlink()
                (docs / "other").mkdir()
                (docs / "other" / "index.md").write_text("# Other page\n", encoding="utf-8")
            config = rebuild()
            if build_number == 0:
                assert "Extra page" in (site / "extra" / "index.html").read_text(encoding="utf-8")
                assert (site / "other").read_text(encoding="utf-8") == "a file named other\n"
            else:  # the swap, and once more unchanged (the kept files reused as they stand)
                assert (site / "extra").read_text(encoding="utf-8") == "a file where a folder was\n"
                assert "Other page" in (site / "other" / "index.html").read_text(encoding="utf-8")
                assert "reference/format.md" in config.plugins["sla"].reuse.reused, "the reference was kept"
            assert (site / "format" / "index.html").is_file() and not (tmp_path / "served" / ".sla-kept").exists()
            edits.write(f"Renamed beside the swap {build_number}")
