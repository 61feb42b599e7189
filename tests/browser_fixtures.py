"""Browser test fixtures: the real app served by uvicorn on 127.0.0.1 (a free port, a thread, the test session's
database), driven by Debian's Chromium through Playwright (never a downloaded browser).

- ``live_server``: the base URL; ONE server per test session (per xdist worker), over the same migrated database
  as the ``db`` fixture, so a test seeds with ``db`` and reads through the browser. Request ``db`` in the test so
  the tables are emptied afterwards. It serves with ``live_server_settings`` (``make_settings``: the development
  signing key in a temporary directory, never the user's data directory).
- ``browser``: one Chromium per session. ``page``: a fresh context (laptop viewport 1280×800, bokmål) per test;
  ``tablet_page``: 768×1024. A screenshot of each page is saved to ``test-artifacts/<test>.png`` at teardown.
- ``sign_in(page, username)``: signs in through the sign-in form with the demo password.
- ``axe_violations(page)``: runs the vendored axe-core (tests/assets/axe.min.js) for WCAG 2.1 A/AA rules.

Mark browser tests ``@pytest.mark.browser``. Without /usr/bin/chromium they are skipped (CI installs it).
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from helsefellesskap.db import Database
from helsefellesskap.settings import Settings

CHROMIUM = Path(os.environ.get("HELSEFELLESSKAP_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
AXE = Path(__file__).resolve().parent / "assets" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LAPTOP = {"width": 1280, "height": 800}
TABLET = {"width": 768, "height": 1024}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def live_server_settings(make_settings: Callable[..., Settings], database_url: str) -> Settings:
    """What the live server serves with: ``make_settings`` (signing key in a temporary directory), and a login
    limit the browser tests' many sign-ins never reach."""
    return make_settings(database_url, login_max_failures=1000)


@pytest.fixture(scope="session")
def live_server(migrated_database: Database, live_server_settings: Settings) -> Iterator[str]:
    """The app on http://127.0.0.1:<free port>, served from a thread for the whole test session."""
    import uvicorn

    from helsefellesskap.api import create_app

    port = free_port()
    config = uvicorn.Config(create_app(live_server_settings, database=migrated_database), host="127.0.0.1", port=port,
                            log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def _artifact_name(request: pytest.FixtureRequest, suffix: str = "") -> Path:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name) + suffix
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"


def _page(browser: Any, live_server: str, request: pytest.FixtureRequest, viewport: dict[str, int],
          suffix: str) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server, viewport=viewport, locale="nb-NO",
                                  extra_http_headers={"Accept-Language": "nb"})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        try:
            page.screenshot(path=str(_artifact_name(request, suffix)), full_page=True)
        finally:
            context.close()


@pytest.fixture
def page(browser: Any, live_server: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A new browser page (laptop viewport) on the live server; screenshot in test-artifacts/ afterwards."""
    yield from _page(browser, live_server, request, LAPTOP, "")


@pytest.fixture
def tablet_page(browser: Any, live_server: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """As ``page``, at a tablet viewport (768×1024)."""
    yield from _page(browser, live_server, request, TABLET, "-tablet")


def sign_in(page: Any, username: str) -> None:
    """Sign in through the form with the demo password; waits for the start page."""
    from helsefellesskap.access.users import DEMO_PASSWORD

    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    if "/login" in page.url:
        raise AssertionError(f"sign-in as {username} failed: {page.url}")


def axe_violations(page: Any, *, exclude: list[str] | None = None) -> list[dict[str, Any]]:
    """WCAG 2.1 A/AA violations axe-core finds on the page as it is now (id, impact, help, target of nodes)."""
    # Evaluated through the DevTools protocol: the page's CSP (no inline script) stays on and is not in the way.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        """async ([tags, exclude]) => {
            const context = exclude.length ? {exclude: exclude.map(s => [s])} : document;
            const r = await axe.run(context, {runOnly: {type: 'tag', values: tags}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                            nodes: v.nodes.map(n => n.target.join(' '))}));
        }""",
        [WCAG_TAGS, exclude or []],
    )
    return list(result)


def board_patients(page: Any) -> list[str]:
    """The patients listed on the board page shown (the row headers' links)."""
    return [link.inner_text() for link in page.locator("#board-rows th[scope=row] a").all()]


def assert_board_pages_with_the_keyboard(page: Any) -> None:
    """A board of three stays shown two a page (BOARD_PAGE_SIZE 2): page with the keyboard, the focus kept on the
    pager, no axe violations, and the periodic refresh keeping the page."""
    first = board_patients(page)
    assert len(first) == 2 and "Side 1 av 2" in page.inner_text(".pager")
    assert "Opphold: 3. Viser 1–2." in page.inner_text("caption")
    page.locator(".pager a[rel=next]").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".pager a[rel=prev]")
    second = board_patients(page)
    assert len(second) == 1 and not set(second) & set(first) and "page=2" in page.url
    # Focus kept on the pager (a function, not an expression: Playwright evals an expression, which the CSP forbids).
    page.wait_for_function("() => document.activeElement !== null && document.activeElement.rel === 'prev'")
    page.keyboard.press("Enter")
    page.wait_for_selector(".pager a[rel=next]")
    assert board_patients(page) == first
    page.wait_for_function("() => document.activeElement !== null && document.activeElement.rel === 'next'")
    page.keyboard.press("Enter")
    page.wait_for_selector(".pager a[rel=prev]")
    assert axe_violations(page) == []
    page.evaluate("() => document.querySelectorAll('[data-refresh]').forEach(b => htmx.trigger(b, 'board-refresh'))")
    page.wait_for_timeout(500)
    assert board_patients(page) == second and "Side 2 av 2" in page.inner_text(".pager")
