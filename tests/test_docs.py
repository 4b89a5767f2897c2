"""The documentation keeps its promises: links resolve, figures exist, snippets run.

Covers README.md, CONTRIBUTING.md and docs/. Anchors follow GitHub's rules for headings, so a
link that works here works on GitHub, and in the MkDocs site (mkdocs.yml makes its slugs GitHub's).
"""

import ast
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
LINK = re.compile(r"(!?)\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")

# Every Python block of docs/ is run by a test below: (page, heading it sits under).
SNIPPETS = {
    ("docs/org-chart.md", "In Python: run an organization"),
    ("docs/rollout.md", "A rollout in Python"),
    ("docs/sweeps.md", "Queries over the store"),
}


def _lines_outside_code(text):
    """Yield (line, heading above it, code block language or None, code block text) per line.

    A code block is reported once, on the line that opens it, with its whole text."""
    heading, fence, language, block = None, None, None, []
    for line in text.splitlines():
        opened = FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                yield None, heading, language, "\n".join(block) + "\n"
                fence, block = None, []
            else:
                block.append(line)
            continue
        if opened:
            fence, language = opened.group(1), opened.group(2).strip().split(" ")[0] or None
            continue
        found = HEADING.match(line)
        if found:
            heading = _heading_text(found.group(2))
        yield line, heading, None, None


def _heading_text(markdown):
    """A heading's text as GitHub renders it: links by their text, no code or emphasis marks."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = text.replace("`", "")
    return re.sub(r"(\*\*|\*)(.+?)\1", r"\2", text)


def slug(heading):
    """GitHub's anchor for a heading: lower case; letters, digits, marks, '-' and '_' kept,
    other punctuation and symbols dropped; each space a '-'."""
    kept = []
    for char in heading.strip().lower():
        category = unicodedata.category(char)
        if char in "-_ " or category[0] in "LNM":
            kept.append("-" if char == " " else char)
    return "".join(kept)


def anchors(path):
    """The anchors of a page's headings, duplicates numbered as GitHub numbers them."""
    seen, result = {}, set()
    for line, _, _, _ in _lines_outside_code(path.read_text()):
        found = line is not None and HEADING.match(line)
        if found:
            base = slug(_heading_text(found.group(2)))
            count = seen.get(base, 0)
            seen[base] = count + 1
            result.add(base if count == 0 else f"{base}-{count}")
    return result


def links(path):
    """(is an image, target) for every link outside code blocks and code spans."""
    for line, _, _, _ in _lines_outside_code(path.read_text()):
        if line is not None:
            for found in LINK.finditer(CODE_SPAN.sub(" ", line)):
                yield found.group(1) == "!", found.group(2)


def broken_links(path):
    """What is wrong with each relative link of a page, one line each."""
    problems = []
    for _, target in links(path):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        where = (path.parent / file_part).resolve() if file_part else path
        name = f"{path.relative_to(ROOT)}: {target}"
        if not where.exists():
            problems.append(f"{name}: no such file")
        elif anchor and where.suffix == ".md" and anchor not in anchors(where):
            problems.append(f"{name}: no heading with anchor #{anchor} in {where.name}")
    return problems


def python_blocks(path):
    """(heading, code) for every Python block of a page."""
    for _, heading, language, code in _lines_outside_code(path.read_text()):
        if code is not None and language in ("python", "py"):
            yield heading, code


def snippet(page, heading):
    """The Python block under ``heading`` of ``page`` (there must be exactly one)."""
    assert (page, heading) in SNIPPETS
    found = [code for under, code in python_blocks(ROOT / page) if under == heading]
    assert len(found) == 1, f"{page}: {len(found)} Python blocks under '{heading}'"
    return found[0]


def run_snippet(page, heading):
    """Run a snippet statement by statement; return its names and the values of its bare
    expressions (what a notebook would show), in order."""
    tree = ast.parse(snippet(page, heading), filename=page)
    namespace, shown = {}, []
    for statement in tree.body:
        if isinstance(statement, ast.Expr):
            code = compile(ast.Expression(statement.value), page, "eval")
            shown.append(eval(code, namespace))
        else:
            exec(compile(ast.Module([statement], []), page, "exec"), namespace)
    return namespace, shown


# --- the checker checks -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "heading, anchor",
    [
        ("3. The dynamics (one step = one week)", "3-the-dynamics-one-step--one-week"),
        ("Fair comparison and the 2×2 study", "fair-comparison-and-the-22-study"),
        ("Organizations (`sim.org`)", "organizations-simorg"),
        ("Which rollout? The main job", "which-rollout-the-main-job"),
        ("The main job's report", "the-main-jobs-report"),
        (
            "The organizational rule (`rules.Organizational`)",
            "the-organizational-rule-rulesorganizational",
        ),
        (
            "Sensitivity and robustness (`orgsim analyze`)",
            "sensitivity-and-robustness-orgsim-analyze",
        ),
        ("Bass (1969), innovation — and imitation", "bass-1969-innovation--and-imitation"),
        ("The `change_team` levers", "the-change_team-levers"),
    ],
)
def test_anchors_follow_githubs_rules(heading, anchor):
    assert slug(_heading_text(heading)) == anchor


def test_a_broken_link_is_found(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    (tmp_path / "a.md").write_text("# Top\n\n## Two words\n\n## Two words\n")
    page = tmp_path / "b.md"
    page.write_text(
        "[ok](a.md#two-words) [ok](a.md#two-words-1) [ok](#here) [ok](https://x.org/nowhere)\n"
        "## Here\n[gone](missing.md) [bad](a.md#three) ![lost](figures/none.png)\n"
        "`[in code](nowhere.md)`\n```\n[in a block](nowhere.md)\n```\n"
    )
    assert broken_links(page) == [
        "b.md: missing.md: no such file",
        "b.md: a.md#three: no heading with anchor #three in a.md",
        "b.md: figures/none.png: no such file",
    ]


# --- the pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(page):
    assert broken_links(page) == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_figure_exists_as_a_png(page):
    figures = [target for image, target in links(page) if image]
    for target in figures:
        figure = page.parent / target
        assert figure.suffix == ".png", target
        assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", target


def test_the_readme_is_a_front_page():
    readme = ROOT / "README.md"
    assert len(readme.read_text().splitlines()) < 200
    linked = {(readme.parent / target.partition("#")[0]).resolve() for _, target in links(readme)}
    for page in (ROOT / "docs").glob("*.md"):
        if page.name == "index.md":  # the documentation site's home, which lists them all
            continue
        assert page.resolve() in linked, f"the README links to no {page.relative_to(ROOT)}"
    assert (ROOT / "CONTRIBUTING.md").resolve() in linked
    images = [target for image, target in links(readme) if image]
    assert len(images) == 1, images  # the posterior the main job runs over


def test_every_python_snippet_is_run_by_a_test():
    found = {
        (str(page.relative_to(ROOT)), heading)
        for page in PAGES
        for heading, _ in python_blocks(page)
    }
    assert found == SNIPPETS


# --- the snippets -------------------------------------------------------------------------------


def test_the_organization_snippet_runs():
    namespace, shown = run_snippet("docs/org-chart.md", "In Python: run an organization")
    model = namespace["model"]
    table, by_unit = shown[-2], shown[-1]
    assert list(table.columns) == [
        "step",
        "behavior",
        "adopters",
        "new_adopters",
        "fraction",
        "lapses",
        "with_access",
    ]
    assert table.step.max() == 52 and model.org.n == 2_000
    assert set(by_unit.unit) == set(model.org.unit_names)


def test_the_rollout_snippet_runs():
    namespace, shown = run_snippet("docs/rollout.md", "A rollout in Python")
    schedule, model, record = namespace["schedule"], namespace["model"], shown[-1]
    assert schedule.expanded_at == 8
    access = model.adoption.groupby("step").with_access.first()
    assert access[7] < model.org.n == access[8]
    assert {"final_fraction_consume", "weeks_to_50pct_contribute", "cost_total"} <= set(record)
    assert record["cost_total"] == pytest.approx(
        sum(
            record[f"cost_{lever}"]
            for lever in ("champions", "training", "leaders", "launch", "safety", "endorsers")
        )
    )
    assert record["cost_champions"] == 10.0 * 40  # 2 % of 2,000 people


def test_the_store_query_snippet_runs(tmp_path, monkeypatch):
    """The queries over a store, as written, on a small sweep built with ``orgsim``."""
    pytest.importorskip("duckdb")
    sweep = ["-m", "org=startup", "replications=2", "steps=52", "report=false",
             "rollout=company_wide,pilot", "culture.courage=0.2,0.8"]  # fmt: skip
    done = subprocess.run(
        [str(Path(sys.executable).parent / "orgsim"), *sweep],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    monkeypatch.chdir(tmp_path)
    namespace, (by_courage, weeks, last) = run_snippet("docs/sweeps.md", "Queries over the store")
    assert namespace["runs"].shape[0] == 2 * 2 * 2
    assert by_courage.index.names == ["rollout", "culture.courage"] and len(by_courage) == 4
    assert by_courage.between(0, 1).all()
    assert sorted(weeks.rollout) == ["company_wide", "pilot"]
    assert len(last) == 8 * 3 and (last.step == 52).all()  # a row per run and behavior
