"""Fixtures shared by every test under site_tests/.

``browser``   session-scoped Playwright Chromium (Debian's /usr/bin/chromium,
              see helpers.CHROMIUM_PATH). Missing browser = test *failure*,
              never a skip: run ``make browser``.
``page``      a fresh context and page per test; console errors and uncaught
              page errors are collected in ``page.console_errors`` (list of
              str), so a test can ``assert page.console_errors == []``.
              Requests to anything but loopback are aborted (tests are
              hermetic; this machine has no internet) and listed in
              ``page.external_requests``; their load failures are not errors.
``serve_dir`` ``serve_dir(path) -> base_url``: serves a folder on 127.0.0.1
              (free port) until the end of the test.

Markers (registered in pyproject.toml, set here so that no test can forget them):
``browser``   every test that drives Chromium (uses the ``browser`` or ``page`` fixture);
``slow``      every test that builds whole sites, runs git repositories or servers
              (the modules in ``SLOW_MODULES``). ``make test-fast`` leaves both out;
              ``make test`` and CI run everything.

Plain helpers (``build_site``, ``serve_directory`` for longer-lived servers)
live in site_tests/helpers.py: ``from helpers import build_site``. Everything
works under pytest-xdist: each worker process starts its own Playwright and
its own servers.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest

from helpers import CHROMIUM_ARGS, CHROMIUM_PATH, serve_directory

SLOW_MODULES = frozenset(
    {
        "test_site_build",
        "test_versions_site",
        "test_serve",
        "test_publish",
        "test_review_workflow",
        "test_diff_cli",
        "test_reference_pages",
        "test_zensical",
        "test_site_size",
        "test_audiences_sites",
        "test_publish_audiences",
        "test_customer_site",
        "test_site_hardening",
        "test_diff_hardening",
        "test_workflow_policy",
        "test_bench",
        "test_search_view",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if {"browser", "page"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
        if item.module is not None and item.module.__name__.rsplit(".", 1)[-1] in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def _cache_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """`sla validate` and `sla credits` keep their cache in a folder of the test run, never the
    user's ~/.cache (each xdist worker has its own)."""
    os.environ["SLA_CACHE_DIR"] = str(tmp_path_factory.mktemp("sla-cache"))


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium shared by the tests of one (xdist worker) process."""
    if not os.access(CHROMIUM_PATH, os.X_OK):
        pytest.fail(
            f"no Chromium at {CHROMIUM_PATH}; install it with `make browser` "
            "(apt-get update && apt-get install -y chromium) or set CHROMIUM_PATH",
            pytrace=False,
        )
    # Imported here so tests that need no browser still run without Playwright.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _is_external(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss"):
        return False  # data:, blob:, about: never leave the machine
    host = parts.hostname or ""
    return not (host == "localhost" or host == "::1" or host.startswith("127."))


@pytest.fixture
def page(browser):
    """A new page in its own context, recording errors in ``page.console_errors``."""
    context = browser.new_context()
    # Local static pages load in well under a second; fail fast, not after 30 s.
    context.set_default_timeout(15_000)
    external: list[str] = []
    errors: list[str] = []

    def route(route):
        # Material asks Google Fonts and the GitHub API (repo_url); never go out.
        if _is_external(route.request.url):
            external.append(route.request.url)
            route.abort("blockedbyclient")
        else:
            route.fallback()

    def on_console(msg):
        if msg.type != "error":
            return
        url = msg.location.get("url", "")
        if msg.text.startswith("Failed to load resource") and url in external:
            return  # our own abort above, not a fault of the page
        errors.append(f"console.error: {msg.text} ({url})")

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.console_errors = errors
    page.external_requests = external
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def serve_dir() -> Iterator[Callable[[str | os.PathLike[str]], str]]:
    """``serve_dir(path) -> "http://127.0.0.1:PORT/"``; servers stop after the test."""
    with contextlib.ExitStack() as stack:
        yield lambda path: stack.enter_context(serve_directory(path))
