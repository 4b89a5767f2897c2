"""``orgsim calibrate``'s report.html in headless Chromium: every figure renders, nothing is
fetched from outside the page. Skipped without pyABC, Playwright or Debian's ``chromium``."""

import pytest

pytest.importorskip("pyabc", reason="the calibration tests need pip install -e '.[calibrate]'")

from tests.calibrate.test_calibrate_cli import PILOT, SMALL, pilot_file
from tests.helpers import orgsim

pytestmark = pytest.mark.browser


def test_the_calibration_report_opens_with_every_figure(tmp_path, browser):
    name = pilot_file(tmp_path)
    orgsim(tmp_path, "calibrate", name, *PILOT, *SMALL, "--out", "out")
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto((tmp_path / "out" / "report.html").as_uri())
    page.wait_for_load_state("load")
    assert page.locator("h1", has_text="Your pilot, calibrated").count() == 1
    images = page.locator("figure img")
    assert images.count() == 4
    for i in range(images.count()):
        images.nth(i).scroll_into_view_if_needed()
        assert images.nth(i).is_visible()
        assert images.nth(i).evaluate("img => img.complete ? img.naturalWidth : 0") > 100
    assert page.locator("h2", has_text="The verdict").count() == 1
    assert page.locator("table").count() == 2
    assert page.locator("pre", has_text="Best next step across").count() == 1
    assert all(u.startswith(("file://", "data:")) for u in requests), requests
    assert not errors, errors
    page.close()
