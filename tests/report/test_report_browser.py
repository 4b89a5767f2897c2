"""``report.html`` in a real browser: headless Chromium through Playwright.

Skipped without Playwright or Debian's ``chromium`` (``pip install -e ".[browser]"``,
``apt-get install -y chromium``); ``.ci/run`` installs both and runs ``pytest -m browser``.
"""

import pytest

from tests.helpers import orgsim

pytestmark = pytest.mark.browser


def _open(browser, path):
    """A page of ``path``, loaded, with the console errors and the requests it made."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, errors, requests


def test_report_html_opens_with_every_figure_visible(tmp_path, browser):
    orgsim(tmp_path, "-m", "org=startup", "org.headcount=300", "replications=3", "steps=10",
           "rollout=company_wide_hierarchical,pilot_decentralized,pilot_hierarchical")  # fmt: skip
    page, errors, requests = _open(browser, tmp_path / "results" / "orgsim" / "report.html")
    images = page.locator("figure img")
    count = images.count()
    assert count >= 6
    for i in range(count):
        image = images.nth(i)
        image.scroll_into_view_if_needed()
        assert image.is_visible()
        width = image.evaluate("img => img.complete ? img.naturalWidth : 0")
        assert width > 100, f"figure {i + 1} did not render"
    assert page.locator("h2", has_text="The answer").count() == 1
    assert page.locator("table").count() >= 2
    # Self-contained: nothing but the page itself and its embedded figures is fetched.
    assert all(u.startswith(("file://", "data:")) for u in requests), requests
    assert not errors, errors
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert (tmp_path / "report.png").stat().st_size > 10_000
    page.close()


def test_a_designs_report_opens_with_its_sections_and_figures(tmp_path, browser):
    orgsim(tmp_path, "-m", "+experiment=robust_rollout", "analysis.samples=12", "replications=2",
           "org=startup", "org.headcount=200", "steps=8", "rollout.budget_per_person=2",
           "rollout=company_wide_hierarchical,pilot_decentralized")  # fmt: skip
    page, errors, requests = _open(browser, tmp_path / "results" / "robust_rollout" / "report.html")
    for heading in ("The design", "Which rollout is robust", "Where each rollout wins"):
        assert page.locator("h2", has_text=heading).count() == 1, heading
    images = page.locator("figure img")
    assert images.count() >= 2
    for i in range(images.count()):
        images.nth(i).scroll_into_view_if_needed()
        assert images.nth(i).evaluate("img => img.complete ? img.naturalWidth : 0") > 100
    assert all(u.startswith(("file://", "data:")) for u in requests), requests
    assert not errors, errors
    page.close()
