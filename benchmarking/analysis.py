"""Analysis of a benchmark campaign: normalized ranks (the seed paper's
Table 2 procedure), as Markdown and CSV, and one figure per benchmark.

    python -m benchmarking.analysis --experiment-tag TAG [--results-root FOLDER]
        [--num-steps 10]

For every benchmark and seed, the best-so-far value of every method is read
at ``--num-steps`` time steps spread uniformly over the budget (``budget *
k / num_steps``, ``k = 1 .. num_steps``; a method without any result by a
step counts as worst there). At each step the methods are ranked (ties share
their mean rank) and the ranks scaled to ``[0, 1]`` (0: best, 1: worst);
a method's normalized rank is the mean over steps, seeds and benchmarks.
The table has one row per method and a column per blackbox (its tasks) plus
``all``; only (benchmark, seed) pairs with at least two methods count.

Written to ``<campaign>/analysis/``: ``ranks.md`` (the table, the cells
that are missing, failed or do not apply), ``ranks.csv`` and, per benchmark,
``<benchmark>.png``: mean and standard error over seeds of the best-so-far
value against (simulated) wall-clock time, one line per method. Works on a
partial campaign: whatever cells exist are used, and the missing ones are
listed.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import warnings
from pathlib import Path

import numpy as np

from benchmarking import campaign

__all__ = ["best_at", "normalized_ranks", "rank_table", "pairwise", "analyze", "main"]

#: fractions of the budget at which :func:`pairwise` compares two methods
FRACTIONS = (0.25, 0.5, 1.0)


def best_at(cell: dict, times: np.ndarray) -> np.ndarray:
    """Best-so-far value of a cell at each of ``times`` (NaN before its first result)."""
    t = np.asarray(cell["curve"]["time"], dtype=float)
    v = np.asarray(cell["curve"]["best"], dtype=float)
    idx = np.searchsorted(t, times, side="right") - 1
    out = np.full(len(times), np.nan)
    ok = idx >= 0
    out[ok] = v[idx[ok]]
    return out


def normalized_ranks(cells: list[dict], num_steps: int = 10) -> dict[str, dict[str, float]]:
    """Family -> method -> mean normalized rank (``"all"``: every benchmark).

    Parameters
    ----------
    cells
        Stored cell results (``CampaignFolder.cells()``).
    num_steps
        Time steps per run.

    Returns
    -------
    dict
        ``{"all": {method: rank}, family: {method: rank}, ...}``; ranks lie in ``[0, 1]``.
    """
    from scipy.stats import rankdata

    groups: dict = {}
    for c in cells:
        groups.setdefault((c["benchmark"], c["seed"]), []).append(c)
    sums: dict = {}
    for (_, _), group in sorted(groups.items()):
        if len(group) < 2:
            continue
        budget = max(c["budget"] for c in group)
        steps = budget * np.arange(1, num_steps + 1) / num_steps
        values = np.array([best_at(c, steps) for c in group])  # (methods, steps)
        signed = -values if group[0]["mode"] == "max" else values
        signed = np.where(np.isnan(signed), np.inf, signed)  # no result yet: worst
        ranks = (np.apply_along_axis(rankdata, 0, signed) - 1) / (len(group) - 1)
        for c, r in zip(group, ranks.mean(axis=1)):
            for family in ("all", c["family"]):
                sums.setdefault(family, {}).setdefault(c["method"], []).append(float(r))
    return {f: {m: float(np.mean(v)) for m, v in by.items()} for f, by in sums.items()}


def rank_table(ranks: dict[str, dict[str, float]]) -> tuple[list[str], list[list]]:
    """Header and rows (methods by their overall rank) of the rank table."""
    families = ["all"] + sorted(f for f in ranks if f != "all")
    methods = sorted(ranks.get("all", {}), key=lambda m: (ranks["all"][m], m))
    rows = [[m] + [ranks[f].get(m, float("nan")) for f in families] for m in methods]
    return ["method"] + families, rows


def pairwise(cells: list[dict], method: str, reference: str) -> list[str]:
    """Markdown lines comparing ``method`` with ``reference`` benchmark by
    benchmark: mean and standard error over seeds of the best value at 25%,
    50% and 100% of the budget, whether ``method`` is better, by how many
    standard errors of the difference, and the count of benchmarks it wins.
    Only benchmarks where both ran are compared."""
    rows = []
    for c in cells:
        if c["method"] in (method, reference):
            values = best_at(c, np.array([f * c["budget"] for f in FRACTIONS]))
            rows.append(dict(benchmark=c["benchmark"], method=c["method"], budget=c["budget"],
                             mode=c["mode"], **{f"best@{f:g}": float(v) for f, v in zip(FRACTIONS, values)}))
    keys = [f"best@{f:g}" for f in FRACTIONS]
    summary = campaign.summarize(rows, keys)
    modes = {r["benchmark"]: r["mode"] for r in rows}
    lines = [
        f"{method} against {reference}: mean ± standard error over seeds of the best value at "
        + ", ".join(f"{f:.0%}" for f in FRACTIONS) + " of the budget; 'better' with the gap in standard errors.",
        "",
        "| benchmark | seeds | " + " | ".join(f"{method} @{f:.0%} | {reference} @{f:.0%} | better @{f:.0%}" for f in FRACTIONS) + " |",
        "|---|---|" + "---|---|---|" * len(FRACTIONS),
    ]
    wins = {k: 0 for k in keys}
    benchmarks = [b for b in sorted(summary) if method in summary[b] and reference in summary[b]]
    for b in benchmarks:
        s, ref = summary[b][method], summary[b][reference]
        cols = []
        for k in keys:
            verdict, a, r, z = campaign.comparison(s, ref, k, modes[b])
            wins[k] += verdict == "yes"
            cols += [f"{a:.5g} ± {s[k + '_sem']:.2g}", f"{r:.5g} ± {ref[k + '_sem']:.2g}",
                     verdict + ("" if math.isnan(z) else f" ({z:.1f} SE)")]
        lines.append(f"| {b} | {min(s['num_seeds'], ref['num_seeds'])} | " + " | ".join(cols) + " |")
    lines += ["", f"{method} beats {reference} on " + ", ".join(
        f"{wins[k]}/{len(benchmarks)} at {f:.0%}" for k, f in zip(keys, FRACTIONS)) + " of the budget."]
    return lines


def _missing(folder: campaign.CampaignFolder, manifest: dict, cells: list[dict]) -> list[str]:
    done = {(c["benchmark"], c["method"], c["seed"]) for c in cells}
    na = set(manifest.get("not_applicable", {}))
    out = []
    for b in manifest["benchmarks"]:
        for m in manifest["methods"]:
            for s in manifest["seeds"]:
                cell = campaign.Cell(b, m, s)
                if tuple(cell) not in done and repr(cell) not in na:
                    out.append(repr(cell))
    return out


def _plot(benchmark: str, cells: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    budget = max(c["budget"] for c in cells)
    grid = np.linspace(0, budget, 200)[1:]
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    colors = plt.get_cmap("tab20").colors
    line_styles = ("-", "--", ":", "-.")
    by_method: dict = {}
    for c in cells:
        by_method.setdefault(c["method"], []).append(best_at(c, grid))
    for i, (method, curves) in enumerate(sorted(by_method.items())):
        # up to 20 methods told apart by colour, beyond that by line style too
        color, style = colors[i % len(colors)], line_styles[(i // len(colors)) % len(line_styles)]
        y = np.array(curves)  # (seeds, grid)
        n = np.sum(~np.isnan(y), axis=0)
        with warnings.catch_warnings():  # columns before any result are all NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(y, axis=0)
            sd = np.nanstd(y, axis=0, ddof=1)
        sem = np.where(n > 1, sd / np.sqrt(np.maximum(n, 1)), 0.0)
        ax.plot(grid, mean, drawstyle="steps-post", color=color, linestyle=style, label=f"{method} ({len(curves)} seeds)")
        ax.fill_between(grid, mean - sem, mean + sem, step="post", alpha=0.15, color=color)
    ax.set_xlabel("wall-clock time (s)")
    ax.set_ylabel(f"best {cells[0]['metric']} ({cells[0]['mode']})")
    ax.set_title(benchmark)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def analyze(folder: campaign.CampaignFolder, num_steps: int = 10, figures: bool = True) -> dict:
    """Write the rank table (Markdown, CSV) and the figures of a campaign.

    Returns
    -------
    dict
        ``header``, ``rows`` (of the table), ``missing``, ``failed``,
        ``not_applicable`` and ``files`` (paths written).

    Raises
    ------
    FileNotFoundError
        If the folder holds no campaign.
    """
    manifest = folder.read_manifest()
    if manifest is None:
        raise FileNotFoundError(f"no campaign {folder.tag!r} in {folder.root} (no {folder.manifest_path})")
    cells = folder.cells()
    ranks = normalized_ranks(cells, num_steps)
    header, rows = rank_table(ranks)
    out = folder.path / "analysis"
    out.mkdir(parents=True, exist_ok=True)
    files = []
    with open(out / "ranks.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows([[r[0]] + [f"{x:.4f}" for x in r[1:]] for r in rows])
    files.append(out / "ranks.csv")
    missing = _missing(folder, manifest, cells)
    failed = sorted(repr(c) for c in folder.failures())
    na = manifest.get("not_applicable", {})

    def fmt(x):
        return "" if isinstance(x, float) and math.isnan(x) else f"{x:.3f}"

    lines = [
        f"# Normalized ranks of campaign `{folder.tag}`",
        "",
        f"{len(cells)} finished cells ({len({c['benchmark'] for c in cells})} benchmarks, "
        f"{len({c['method'] for c in cells})} methods, {len({c['seed'] for c in cells})} seeds). Per benchmark "
        f"and seed, the methods' best-so-far values at {num_steps} time steps spread uniformly over the budget are "
        "ranked (0: best, 1: worst); the mean over steps, seeds and benchmarks (`all`) or the benchmarks of one "
        "blackbox.",
        "",
        "| " + " | ".join(header) + " |",
        "|---" * len(header) + "|",
        *["| " + " | ".join([r[0]] + [fmt(x) for x in r[1:]]) + " |" for r in rows],
        "",
        f"Missing cells ({len(missing)}): " + (", ".join(missing) if missing else "none") + ".",
        "",
        f"Failed cells ({len(failed)}): " + (", ".join(failed) if failed else "none") + ".",
        "",
        f"Cells that do not apply ({len(na)})" + (":" if na else ": none."),
        *[f"- {line}" for line in campaign.group_not_applicable(na)],
    ]
    (out / "ranks.md").write_text("\n".join(lines) + "\n")
    files.append(out / "ranks.md")
    if figures:
        by_bench: dict = {}
        for c in cells:
            by_bench.setdefault(c["benchmark"], []).append(c)
        for bench, group in sorted(by_bench.items()):
            _plot(bench, group, out / f"{bench}.png")
            files.append(out / f"{bench}.png")
    return dict(header=header, rows=rows, missing=missing, failed=failed, not_applicable=na, files=files)


def main(argv: list[str] | None = None) -> dict:
    """Analyze a campaign; prints the table and the files written."""
    ap = argparse.ArgumentParser(
        prog="python -m benchmarking.analysis", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--experiment-tag", required=True)
    ap.add_argument("--results-root", default=None, help="folder of the campaigns (default: as for the campaigns)")
    ap.add_argument("--num-steps", type=int, default=10, help="time steps per run (default 10)")
    ap.add_argument("--no-figures", action="store_true", help="write the tables only")
    ap.add_argument(
        "--compare", nargs="*", default=[], metavar="METHOD:REFERENCE",
        help="also compare methods pairwise, benchmark by benchmark (written to analysis/compare.md)",
    )
    args = ap.parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.num_steps < 1:
        ap.error(f"--num-steps must be an int >= 1. Got {args.num_steps} instead.")
    pairs = []
    for entry in args.compare:
        if entry.count(":") != 1 or "" in entry.split(":"):
            ap.error(f"--compare expects METHOD:REFERENCE (e.g. MOBSTER:ASHA). Got {entry!r} instead.")
        pairs.append(tuple(entry.split(":")))
    root = args.results_root or campaign.default_results_root()
    probe = campaign.CampaignFolder(root, args.experiment_tag, kind="")
    m = probe.read_manifest()
    if m is None:
        ap.error(f"no campaign {args.experiment_tag!r} in {probe.root}")
    manifest_kind = m.get("kind", "")
    result = analyze(campaign.CampaignFolder(root, args.experiment_tag, manifest_kind), args.num_steps, not args.no_figures)
    print((probe.path / "analysis" / "ranks.md").read_text())
    if pairs:
        cells = campaign.CampaignFolder(root, args.experiment_tag, manifest_kind).cells()
        text = "\n\n".join("\n".join(pairwise(cells, a, b)) for a, b in pairs) + "\n"
        (probe.path / "analysis" / "compare.md").write_text(text)
        result["files"].append(probe.path / "analysis" / "compare.md")
        print(text)
    print("written: " + ", ".join(str(p) for p in result["files"]))
    return result


if __name__ == "__main__":
    from benchmarking import analysis as _module

    _module.main()
