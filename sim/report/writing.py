"""Writing a report: figures drawn in forked renderers, ``report.html`` (self-contained),
``report.md`` with ``figures/``, and the CSVs, each atomically, into a folder named by what
the report covers (:func:`report_folder`)."""

from __future__ import annotations

import base64
import html
import io
import re
from datetime import UTC, datetime
from pathlib import Path

from sim import store
from sim.report.document import Report, analyses_of, summary_table
from sim.results import format_value

__all__ = ["render", "report_folder", "write_report", "write_tables"]


def _slug(text) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", str(text)).strip("-").lower() or "all"


def _draw(make) -> tuple[bytes, bytes]:
    """PNG and SVG of the figure ``make()`` returns (the layout computed once)."""
    figure = make()
    png, svg = io.BytesIO(), io.BytesIO()
    figure.savefig(png, format="png", dpi=100)
    figure.set_layout_engine("none")  # laid out by the PNG's drawing: keep it for the SVG
    figure.savefig(svg, format="svg")
    return png.getvalue(), svg.getvalue()


_MAKERS = None  # the figures a forked renderer draws, by index


def _draw_one(index):
    return _draw(_MAKERS[index])


def render(makers) -> list:
    """``(png, svg)`` bytes of each figure; drawn in forked processes, one per core.

    Drawing is most of a report's time and each figure is independent. A
    fork shares the loaded results with the renderers without pickling them;
    where there is no fork (or one core) the figures are drawn here.
    """
    global _MAKERS
    import multiprocessing
    import os

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    workers = min(cores, 4, len(makers))
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [_draw(make) for make in makers]
    _MAKERS = makers
    try:
        context = multiprocessing.get_context("fork")
        # A Pool, not an executor: leaving its block for any reason (a SIGTERM made into an
        # exception by the command, Ctrl-C, a figure that fails) terminates the renderers
        # rather than waiting for them, so none outlives the report.
        with context.Pool(workers, initializer=_renderer) as pool:
            return pool.map(_draw_one, range(len(makers)), chunksize=1)
    finally:
        _MAKERS = None


def _renderer():
    """A renderer's start: stopped by its report alone, and never left without it."""
    import signal

    # Forked with the command's handlers: SIGTERM (from Pool.terminate) ends it at once,
    # Ctrl-C reaches the whole terminal group and is the command's to answer.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:  # Linux: die with the report even when it is killed outright (SIGKILL)
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _table_html(frame) -> str:
    shown = frame.copy()
    for column in shown.columns:
        shown[column] = shown[column].map(format_value)
    return shown.to_html(index=False, border=0, classes="table", escape=True)


def _table_md(frame) -> str:
    shown = frame.astype(object).map(format_value)
    head = "| " + " | ".join(map(str, shown.columns)) + " |"
    rule = "|" + "---|" * len(shown.columns)
    body = ["| " + " | ".join(v.replace("|", "\\|") for v in row) + " |"
            for row in shown.itertuples(index=False)]  # fmt: skip
    return "\n".join([head, rule, *body])


_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; color: #222;
       line-height: 1.45; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
table.table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
table.table th, table.table td { padding: 0.25em 0.7em; border-bottom: 1px solid #eee;
       text-align: left; }
figure { margin: 1.2em 0; } figure img { max-width: 100%; height: auto; }
figcaption { font-size: 0.85em; color: #555; } .meta { color: #555; font-size: 0.9em; }
"""


def write_report(results, out=None, *, metric=None, reference=None, title=None,
                 analyses=None) -> Path:  # fmt: skip
    """Write the report of ``results`` into ``out`` (default: the store); return report.html.

    Files: ``report.html``, ``report.md``, ``figures/*.png`` and ``*.svg``,
    ``runs.csv``, ``summary.csv``; each written atomically (a reader never
    sees half of one). Raises :class:`sim.store.StoreError` naming the file
    that cannot be written.
    """
    import matplotlib

    matplotlib.use("Agg")
    out = Path(out) if out is not None else report_folder(results, metric, reference)
    report = Report(results, metric=metric, reference=reference, analyses=analyses).build()
    if title is None:
        question = "Which parameter matters, which rollout is robust?" if report.analyses else (
            "Which rollout?")  # fmt: skip
        title = f"{question} {results.store.name}"
        if out != results.store:
            title += f" ({out.name})"
    runs = results.runs
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    part = f" (one command's, of the {results.held} the store holds)" if results.subset else ""
    meta = (f"{len(runs)} runs{part} of {runs['config_hash'].nunique()} scenarios in "
            f"{results.store}; orgsim {', '.join(results.versions)}; metric {report.metric}"
            f"{f'; differences from {reference}' if reference else ''}; "
            f"written {stamp}.")  # fmt: skip
    if len(results.versions) > 1:
        meta += " Mixed versions: results of different orgsim versions are side by side."
    html_parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>"
                  f"{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
                  f"<h1>{html.escape(title)}</h1>"
                  f"<p class='meta'>{html.escape(meta)}</p>"]  # fmt: skip
    md_parts = [f"# {title}", "", meta, ""]
    makers = [b[2] for _, blocks in report.sections for b in blocks if b[0] == "figure"]
    rendered = render(makers)
    figures_dir = out / "figures"
    number, written = 0, set()
    for heading, blocks in report.sections:
        html_parts.append(f"<h2>{html.escape(heading)}</h2>")
        md_parts += [f"## {heading}", ""]
        for block in blocks:
            kind = block[0]
            if kind == "heading":
                html_parts.append(f"<h3>{html.escape(block[1])}</h3>")
                md_parts += [f"### {block[1]}", ""]
            elif kind == "text":
                html_parts.append(f"<p>{html.escape(block[1])}</p>")
                md_parts += [block[1], ""]
            elif kind == "table":
                html_parts.append(_table_html(block[1]))
                md_parts += [_table_md(block[1]), ""]
            else:
                number += 1
                kind, png, svg, caption = block[1], *rendered[number - 1], block[3]
                name = f"{number:02d}-{_slug(heading)[:40]}-{kind}"
                for suffix, data in (("png", png), ("svg", svg)):
                    store.write_atomic(figures_dir / f"{name}.{suffix}",
                                       lambda p, d=data: Path(p).write_bytes(d))  # fmt: skip
                    written.add(f"{name}.{suffix}")
                encoded = base64.b64encode(png).decode()
                html_parts.append(
                    f"<figure><img alt='{html.escape(caption)}' src='data:image/png;base64,"
                    f"{encoded}'><figcaption>Figure {number}. {html.escape(caption)}"
                    "</figcaption></figure>")  # fmt: skip
                md_parts += [f"![Figure {number}](figures/{name}.png)", "",
                             f"*Figure {number}. {caption}*", ""]  # fmt: skip
    html_parts.append("</body></html>")
    _remove_stale_figures(figures_dir, written)
    target = out / "report.html"
    store.write_atomic(target, lambda p: Path(p).write_text("\n".join(html_parts)))
    store.write_atomic(out / "report.md", lambda p: Path(p).write_text("\n".join(md_parts)))
    write_tables(results, out, metric=metric, analyses=report.analyses)
    return target


def report_folder(results, metric=None, reference=None) -> Path:
    """Where the report of ``results`` goes: the store itself when it covers all the store's
    runs, ranked by the default metric; else ``reports/<name>`` inside it, named by what
    it covers, so that one report never replaces another's (a command's own runs among a
    store's: its strategies and a digest of its jobs; ``by-<metric>``; ``vs-<strategy>``)."""
    parts = []
    if results.subset:
        shown = results.strategies[:3]
        more = f"+{len(results.strategies) - 3}" if len(results.strategies) > 3 else ""
        parts.append(f"{_slug('+'.join(map(str, shown)))[:60]}{more}-{results.subset}")
    plain = results.outside_designs()
    default = plain.default_metric() if plain is not None else None
    if metric is not None and metric != default:
        parts.append(f"by-{metric}")
    if reference is not None:
        parts.append(f"vs-{_slug(reference)[:40]}")
    return results.store / "reports" / "_".join(parts) if parts else results.store


def _remove_stale_figures(folder, written):
    """Figures an earlier report left in ``folder`` that this one did not write."""
    ours = re.compile(r"^\d{2,}-.*\.(png|svg)$")
    for path in folder.glob("*") if folder.is_dir() else []:
        if ours.match(path.name) and path.name not in written:
            path.unlink(missing_ok=True)


def write_tables(results, out=None, *, metric=None, analyses=None):
    """Write ``runs.csv`` (a row per run), ``summary.csv`` (a row per context and strategy,
    for runs outside any sampled design), ``why.csv`` where channels were switched off
    (:func:`sim.results.why.why_table`) and, for a design, ``sensitivity.csv``,
    ``robustness.csv``, ``regret.csv`` and ``boxes.csv`` (:func:`sim.analysis.sections.tables`)."""
    from sim.analysis.sections import tables

    out = Path(out) if out is not None else report_folder(results, metric)
    store.write_atomic(out / "runs.csv", lambda p: results.runs.to_csv(p, index=False))
    plain = results.outside_designs()
    if plain is not None:
        summary = summary_table(plain, metric or plain.default_metric())
        store.write_atomic(out / "summary.csv", lambda p: summary.to_csv(p, index=False))
        why = plain.why(metric or plain.default_metric())
        if not why.empty:  # the channels behind each context's lead (why.channels)
            store.write_atomic(out / "why.csv", lambda p: why.to_csv(p, index=False))
    analyses = analyses_of(results, metric) if analyses is None else analyses
    for analysis in analyses[-1:]:  # the latest design's, when a store holds several
        for name, frame in tables(analysis).items():
            store.write_atomic(out / name, lambda p, f=frame: f.to_csv(p, index=False))
