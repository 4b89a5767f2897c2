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

from tests.helpers import wait_for_port

pytestmark = pytest.mark.browser
BIN = Path(sys.executable).parent


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def temp_folder(tmp_path_factory):
    """The server's temp folder: uploads must not stay in it."""
    return tmp_path_factory.mktemp("server-tmp")


@pytest.fixture(scope="module")
def server(temp_folder):
    pytest.importorskip("solara", reason='the classroom needs pip install -e ".[app]"')
    from sim.app.cli import build_assets, default_cache

    cache = default_cache()
    try:
        build_assets(cache)
    except Exception as error:  # no registry: nothing to test offline with
        pytest.skip(f"cannot build the page's assets: {error}")
    port = _free_port()
    process = subprocess.Popen(
        [str(BIN / "orgsim"), "app", "--port", str(port), "--assets", str(cache),
         "--max-upload-mb", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "SECRET_TOKEN": "hunter2-secret",
             "TMPDIR": str(temp_folder)},
    )  # fmt: skip
    wait_for_port(port)
    yield f"http://127.0.0.1:{port}/"
    process.terminate()
    process.wait(timeout=20)


#: A projector's screen: the page must fit it without scrolling.
PROJECTOR = {"width": 1024, "height": 768}


def _open(browser, server, path=""):
    page = browser.new_page(viewport=PROJECTOR)
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(server + path)
    if not path:
        page.wait_for_selector(".orgsim-week", timeout=60_000)
    return page


def _inside(page, selector):
    """Every element matching ``selector`` lies wholly inside the viewport."""
    boxes = [e.bounding_box() for e in page.locator(selector).all()]
    assert boxes, selector
    for box in boxes:
        assert box["x"] >= 0 and box["y"] >= 0, (selector, box)
        assert box["x"] + box["width"] <= PROJECTOR["width"] + 0.5, (selector, box)
        assert box["y"] + box["height"] <= PROJECTOR["height"] + 0.5, (selector, box)
    return boxes


def _shown_together(page):
    """The week label and what the curves are drawn to, read at one instant."""
    return page.evaluate("""() => [document.querySelector('.orgsim-week').innerText,
        document.querySelector('.orgsim-curves').alt]""")


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


def _step(page, name, week):
    page.get_by_role("button", name=name).click()
    page.wait_for_selector(f".orgsim-week >> text=week {week} of", timeout=30_000)


def test_the_classroom_fits_a_projector(server, browser, tmp_path):
    outside = []
    page = _open(browser, server)
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith((server, "blob:", "data:")) else None)  # fmt: skip
    page.screenshot(path=str(tmp_path / "classroom-1024x768.png"))
    # The chart and the curves, without scrolling; no badge over them.
    _inside(page, ".orgsim-chart")
    _inside(page, ".orgsim-curves")
    assert page.evaluate("document.scrollingElement.scrollHeight") <= PROJECTOR["height"]
    assert not page.get_by_text("runs on Solara").is_visible()
    # People large enough to see from the back: each dot >= 7 px as the picture is shown.
    chart = page.locator(".orgsim-chart").first
    assert chart.bounding_box()["width"] >= 690  # drawn 700 px wide, shown unscaled
    # Every control says its value, without dragging.
    sliders = [t.inner_text() for t in page.locator(".orgsim-controls .v-input__slider").all()]
    assert len(sliders) >= 8, sliders  # four dials, safety, budget, seed, runs per side
    assert all(any(c.isdigit() for c in x) or "none" in x for x in sliders), sliders
    assert "weeks/s" in page.locator(".orgsim-main").inner_text()  # the speed, with its value
    # The colour legend has swatches, and the curves say what the lessons say.
    swatches = page.locator(".orgsim-swatch").all()
    assert len(swatches) == 4
    assert len({s.evaluate("e => getComputedStyle(e).backgroundColor") for s in swatches}) == 4
    legend = page.locator(".orgsim-legend").inner_text()
    alt = page.locator(".orgsim-curves").get_attribute("alt")
    for rung in ("reading", "contributing", "creating"):
        assert rung in legend and rung in alt
    assert "consume" not in alt + legend
    # The command that computes it, for the teacher to rerun.
    assert (
        "orgsim rollout=company_wide_hierarchical" in page.locator(".orgsim-command").inner_text()
    )
    assert not page.errors, page.errors
    assert not outside, outside
    page.close()


def test_a_lesson_hides_its_answer_and_plays_one_year(server, browser, tmp_path):
    from sim.app.lessons import LESSONS

    lesson = LESSONS["safe_space"]
    page = _open(browser, server)
    _choose(page, "Lesson", "safe_space")
    page.wait_for_selector(f".orgsim-lesson >> text={lesson.title}", timeout=30_000)
    text = page.locator(".orgsim-lesson").inner_text()
    assert lesson.predict in text and lesson.notice not in text  # no answer at week 0
    commands = page.locator(".orgsim-command").inner_text()
    assert lesson.command in commands and lesson.race_command in commands
    # A race: both charts and the curves on the screen.
    page.wait_for_function("document.querySelectorAll('.orgsim-chart').length == 2",
                           timeout=30_000)  # fmt: skip
    _inside(page, ".orgsim-chart")
    _inside(page, ".orgsim-curves")
    page.screenshot(path=str(tmp_path / "race-week-0.png"))
    # The curves never lag the week: both come from one drawing.
    for week in (1, 2, 3):
        _step(page, "Step 1 week", week)
        label, alt = _shown_together(page)
        assert label.startswith(f"week {week} of") and alt.startswith(f"curves to week {week}:")
    _choose(page, "speed", "fast")
    page.get_by_role("button", name="Play").click()
    page.wait_for_selector(".orgsim-week >> text=week 52 of 52", timeout=60_000)
    time.sleep(1.5)
    label, alt = _shown_together(page)
    assert label == "week 52 of 52" and alt.startswith("curves to week 52:")  # and no further
    page.wait_for_selector(f".orgsim-lesson >> text={lesson.notice}", timeout=10_000)
    assert page.get_by_role("button", name="Play").is_disabled()
    page.screenshot(path=str(tmp_path / "race-week-52.png"))
    assert not page.errors, page.errors
    page.close()


def test_a_dropped_org_chart(server, browser, tmp_path, temp_folder):
    from sim.conf import EXAMPLES_DIR

    page = _open(browser, server)
    _step(page, "Step 4 weeks", 4)
    zone = page.locator(".solara-file-drop")
    # A file name is data: never config syntax, never an environment variable's value.
    bad = tmp_path / "${oc.env:SECRET_TOKEN}.csv"
    bad.write_text("employee_id,manager_id,unit\nE1,,Sales\nE1,E1,Sales\n")
    _drop_file(page, zone, bad)
    page.wait_for_selector(".orgsim-error", timeout=30_000)
    message = page.locator(".orgsim-error").inner_text()
    assert "duplicate employee_id" in message and bad.name in message
    assert "hunter2" not in page.content()
    assert "orgsim-upload-" not in message and str(temp_folder) not in message
    # A good one with an awkward name: loaded, the week back to 0, the company named (86
    # people: a preset without a budget, as a budget per person would not pay the launch).
    _choose(page, "Rollout", "safe_space")
    good = tmp_path / "it's [a=b, c].csv"
    good.write_bytes((EXAMPLES_DIR / "acme_org.csv").read_bytes())
    _drop_file(page, zone, good)
    page.wait_for_selector(".orgsim-week >> text=week 0 of", timeout=30_000)
    assert page.locator(".orgsim-error").count() == 0
    assert f"your file: {good.name}" in page.locator(".orgsim-controls").inner_text()
    assert not list(temp_folder.glob("orgsim-upload-*"))  # deleted once loaded
    # Too large: refused in one line, before it is read.
    big = tmp_path / "big.csv"
    big.write_bytes(b"employee_id,manager_id,unit\n" + b"x" * (1024 * 1024 + 10))
    _drop_file(page, zone, big)
    page.wait_for_selector(".orgsim-error", timeout=30_000)
    message = page.locator(".orgsim-error").inner_text()
    assert "big.csv" in message and "1 MB" in message and "\n" not in message
    page.screenshot(path=str(tmp_path / "dropped.png"))
    assert not page.errors, page.errors
    page.close()


def test_how_it_works(server, browser, tmp_path):
    page = _open(browser, server)
    page.get_by_role("button", name="How it works").click()
    page.wait_for_selector(".orgsim-info", timeout=30_000)
    text = page.locator(".orgsim-info").inner_text()
    for heading in ("What is it?", "How it works", "How to use it", "Things to notice",
                    "Things to try"):  # fmt: skip
        assert heading in text
    page.screenshot(path=str(tmp_path / "how-it-works.png"))
    page.close()


def test_a_week_at_2000_people_renders_quickly(server, browser):
    page = _open(browser, server)
    _choose(page, "Company", "2,000 people")
    page.get_by_role("button", name="Set up").click()
    page.wait_for_selector("text=of 2000 on the ladder", timeout=60_000)
    _inside(page, ".orgsim-chart")
    # Measured in the page: from the click to the org chart's new picture (no polling).
    measure = """() => new Promise(resolve => {
        const start = performance.now();
        const old = document.querySelector('.orgsim-chart').src;
        const seen = new MutationObserver(() => {
            const chart = document.querySelector('.orgsim-chart');
            if (!chart || chart.src === old) return;
            seen.disconnect();
            chart.decode().then(() => resolve(performance.now() - start)); });
        seen.observe(document.body, {subtree: true, childList: true, attributes: true});
        [...document.querySelectorAll('button')].find(b => b.innerText.trim().toLowerCase()
            === 'step 1 week').click();
    })"""
    times = sorted(page.evaluate(measure) for _ in range(7))
    print(f"a week at 2,000 people: median {times[3]:.0f} ms (of {[round(t) for t in times]})")
    assert times[3] < 2000, times  # the 200 ms target is measured and recorded, not enforced
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

    page = _open(browser, server)
    for key, lesson in LESSONS.items():
        _choose(page, "Lesson", key)
        page.wait_for_selector(f".orgsim-lesson >> text={lesson.title}", timeout=30_000)
        _step(page, "Step 4 weeks", 4)
        assert len(_adopters(page)) == (2 if lesson.race else 1)
        _inside(page, ".orgsim-chart")
        _inside(page, ".orgsim-curves")
        page.screenshot(path=str(tmp_path / f"lesson-{key}.png"))
    assert len(list(tmp_path.glob("lesson-*.png"))) == len(LESSONS)
    assert not page.errors, page.errors
    page.close()


def test_two_students_do_not_share_a_company(server, browser):
    first, second = browser.new_context(), browser.new_context()
    a, b = first.new_page(), second.new_page()
    for page in (a, b):
        page.goto(server)
        page.wait_for_selector(".orgsim-week", timeout=60_000)
    _step(a, "Step 4 weeks", 4)
    b.reload()
    b.wait_for_selector(".orgsim-week", timeout=60_000)
    assert b.locator(".orgsim-week").inner_text() == "week 0 of 52"
    first.close()
    second.close()
