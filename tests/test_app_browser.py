"""The classroom in a real browser: ``orgsim app`` driven by Playwright in headless Chromium.

Skipped without the app extra, Playwright or Chromium. The page's assets are built once
into orgsim's cache (``orgsim app --build-assets``, from the npm registry); the page then
runs with no request leaving the machine.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
BIN = Path(sys.executable).parent


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    pytest.importorskip("solara", reason='the classroom needs pip install -e ".[app]"')
    from sim.app.cli import build_assets, default_cache

    cache = default_cache()
    try:
        build_assets(cache)
    except Exception as error:  # no registry: nothing to test offline with
        pytest.skip(f"cannot build the page's assets: {error}")
    port = _free_port()
    process = subprocess.Popen(
        [str(BIN / "orgsim"), "app", "--port", str(port), "--assets", str(cache)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    for _ in range(240):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.5)
    yield f"http://127.0.0.1:{port}/"
    process.terminate()
    process.wait(timeout=20)


def _choose(page, label, option):
    page.get_by_label(label).click(force=True)
    page.locator(".v-menu__content:visible .v-list-item", has_text=option).first.click()


def _drop_file(page, zone, path):
    box = zone.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    cdp = page.context.new_cdp_session(page)
    data = {"items": [], "files": [str(path)], "dragOperationsMask": 1}
    for kind in ("dragEnter", "dragOver", "drop"):
        cdp.send("Input.dispatchDragEvent", {"type": kind, "x": x, "y": y, "data": data})


def _adopters(page):
    return [t.inner_text() for t in page.locator(".orgsim-adopters").all()]


def test_the_classroom_page(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors, outside = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith((server, "blob:", "data:")) else None)  # fmt: skip
    started = time.perf_counter()
    page.goto(server)
    page.wait_for_selector(".orgsim-week", timeout=60_000)
    load_s = time.perf_counter() - started
    print(f"page load {load_s:.2f} s")
    # A lesson in one click: its text, its company; stepping changes who is on the ladder.
    _choose(page, "Lesson", "silo_pilot")
    page.wait_for_selector(".orgsim-lesson", timeout=30_000)
    assert "silo" in page.locator(".orgsim-lesson").inner_text()
    before = _adopters(page)
    image = page.locator("img").first.get_attribute("src")
    page.get_by_role("button", name="Step 4 weeks").click()
    page.wait_for_selector("text=week 4", timeout=30_000)
    assert _adopters(page) != before
    assert page.locator("img").first.get_attribute("src") != image  # the colours changed
    page.screenshot(path=str(tmp_path / "lesson-silo_pilot.png"), full_page=True)
    # A race: two companies stepping together, and their difference drawn.
    _choose(page, "Lesson", "everyone_at_once")
    page.wait_for_function("document.querySelectorAll('.orgsim-adopters').length == 2",
                           timeout=30_000)  # fmt: skip
    page.get_by_role("button", name="Step 1 week").click()
    page.wait_for_selector("text=week 1", timeout=30_000)
    assert len(_adopters(page)) == 2
    page.screenshot(path=str(tmp_path / "lesson-everyone_at_once.png"), full_page=True)
    # A bad CSV: its one line on the page, and the page keeps working.
    bad = tmp_path / "bad.csv"
    bad.write_text("employee_id,manager_id,unit\nE1,,Sales\nE1,E1,Sales\n")
    # A file dropped on the drop zone, as a teacher drags one from the desktop (a real
    # drag of a file, through Chromium's DevTools protocol).
    _drop_file(page, page.locator(".solara-file-drop"), bad)
    page.wait_for_selector(".orgsim-error", timeout=30_000)
    assert "duplicate employee_id" in page.locator(".orgsim-error").inner_text()
    page.get_by_role("button", name="Step 1 week").click()
    page.wait_for_selector("text=week 2", timeout=30_000)
    assert not errors, errors
    assert not outside, outside
    assert load_s < 10, load_s
    page.close()


def test_a_week_at_2000_people_renders_quickly(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(server)
    page.wait_for_selector(".orgsim-week", timeout=60_000)
    _choose(page, "Company", "2,000 people")
    page.get_by_role("button", name="Set up").click()
    page.wait_for_selector("text=of 2000 people", timeout=60_000)
    # Measured in the page: from the click to the org chart's new picture (no polling).
    measure = """() => new Promise(resolve => {
        const chart = document.querySelectorAll('img')[0];
        const start = performance.now();
        const seen = new MutationObserver(() => { seen.disconnect();
            chart.decode().then(() => resolve(performance.now() - start)); });
        seen.observe(chart, {attributes: true, attributeFilter: ['src']});
        [...document.querySelectorAll('button')].find(b => b.innerText.trim().toLowerCase()
            === 'step 1 week').click();
    })"""
    times = sorted(page.evaluate(measure) for _ in range(7))
    print(f"a week at 2,000 people: median {times[3]:.0f} ms (of {[round(t) for t in times]})")
    assert times[3] < 1000, times  # the 200 ms target is measured and recorded, not enforced
    page.close()


def test_the_explorer_is_mesa_solaraviz_over_the_same_model(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors, outside = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith((server, "blob:", "data:")) else None)  # fmt: skip
    page.goto(server + "explore")
    page.wait_for_function("document.images.length >= 2", timeout=60_000)
    assert page.get_by_text("Model Parameters").is_visible()  # SolaraViz's own controls
    chart = page.locator("img").first.get_attribute("src")
    page.get_by_role("button", name="Step").click()
    page.wait_for_function(f"document.images[0].src != {chart!r}", timeout=30_000)
    assert not errors, errors
    assert not outside, outside
    page.close()


def test_every_lesson_sets_up_and_steps(server, browser, tmp_path):
    from sim.app.lessons import LESSONS

    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server)
    page.wait_for_selector(".orgsim-week", timeout=60_000)
    for key, lesson in LESSONS.items():
        _choose(page, "Lesson", key)
        page.wait_for_selector(f".orgsim-lesson >> text={lesson.title}", timeout=30_000)
        page.get_by_role("button", name="Step 4 weeks").click()
        page.wait_for_selector("text=week 4", timeout=30_000)
        assert len(_adopters(page)) == (2 if lesson.race else 1)
        page.screenshot(path=str(tmp_path / f"lesson-{key}.png"), full_page=True)
    assert len(list(tmp_path.glob("lesson-*.png"))) == len(LESSONS)
    assert not errors, errors
    page.close()


def test_two_students_do_not_share_a_company(server, browser):
    first, second = browser.new_context(), browser.new_context()
    a, b = first.new_page(), second.new_page()
    for page in (a, b):
        page.goto(server)
        page.wait_for_selector(".orgsim-week", timeout=60_000)
    a.get_by_role("button", name="Step 4 weeks").click()
    a.wait_for_selector("text=week 4", timeout=30_000)
    b.reload()
    b.wait_for_selector(".orgsim-week", timeout=60_000)
    assert b.locator(".orgsim-week").inner_text() == "week 0"
    first.close()
    second.close()
