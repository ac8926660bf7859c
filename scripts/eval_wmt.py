#!/usr/bin/env python3
"""Reproduce the official WMT22 uk→en BLEU and chrF with `mt.evaluate`.

Reads ``DATA_DIR/wmt22-uk-en/``: the reference ``generaltest2022.uk-en.ref.A.en``,
every ``system-outputs/generaltest2022.uk-en.hyp.<SYSTEM>.en`` and the official
``automatic-scores.uk-en.tsv`` (columns pair, system, id, is_constrained, metric,
score; rows ``bleu-A`` and ``chrf-A`` are scored against reference A). Each system is
scored through ``mt.evaluate.evaluate`` -- the same loading and metric code as
``mt evaluate`` -- so a match validates our implementation, not a separate copy.

Prints system, our BLEU, official BLEU, our chrF, official chrF and ✓/✗ (equal to
two decimals); exits 1 on any mismatch, 2 when the data is missing.

Usage: scripts/eval_wmt.py [DATA_DIR] [--json]
DATA_DIR defaults to $MT_SHARED_DATA, else ../shared/data next to the repository.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # runnable from a checkout without `pip install -e .`
    sys.path.insert(0, str(REPO))

from mt.evaluate.score import EvaluateOptions, evaluate  # noqa: E402

SUBDIR = "wmt22-uk-en"
REFERENCE = "generaltest2022.uk-en.ref.A.en"
HYP_PREFIX, HYP_SUFFIX = "generaltest2022.uk-en.hyp.", ".en"
OFFICIAL = {"bleu": "bleu-A", "chrf": "chrf-A"}


@dataclass
class Row:
    """One system: our scores, the official ones, and whether they agree."""

    system: str
    bleu: float
    official_bleu: float | None
    chrf: float
    official_chrf: float | None

    @property
    def match(self) -> bool:
        """Both scores equal the official ones to two decimals."""
        return all(theirs is not None and f"{ours:.2f}" == f"{theirs:.2f}"
                   for ours, theirs in ((self.bleu, self.official_bleu), (self.chrf, self.official_chrf)))


def default_data_dir() -> Path:
    """``$MT_SHARED_DATA`` if set, else ``<repo>/../shared/data``."""
    return Path(os.environ.get("MT_SHARED_DATA") or REPO.parent / "shared" / "data")


def official_scores(path: Path) -> dict[str, dict[str, float]]:
    """``{system: {"bleu": x, "chrf": y}}`` from the WMT automatic-scores TSV."""
    scores: dict[str, dict[str, float]] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            for ours, theirs in OFFICIAL.items():
                if row["pair"] == "uk-en" and row["metric"] == theirs:
                    scores.setdefault(row["system"], {})[ours] = float(row["score"])
    return scores


def reproduce(data_dir: Path) -> tuple[list[Row], dict[str, str]]:
    """Score every system output with `mt.evaluate`; rows sorted by official BLEU."""
    root = data_dir / SUBDIR
    official = official_scores(root / "automatic-scores.uk-en.tsv")
    rows, signatures = [], {}
    for hyp in sorted((root / "system-outputs").glob(f"{HYP_PREFIX}*{HYP_SUFFIX}")):
        system = hyp.name[len(HYP_PREFIX): -len(HYP_SUFFIX)]
        report = evaluate(EvaluateOptions(hyps=(hyp,), ref=root / REFERENCE, metrics=("bleu", "chrf")))
        signatures = {k: report.signatures[k] for k in ("bleu", "chrf")}
        theirs = official.get(system, {})
        rows.append(Row(system, report.corpus["bleu"], theirs.get("bleu"),
                        report.corpus["chrf"], theirs.get("chrf")))
    rows.sort(key=lambda r: -(r.official_bleu or 0.0))
    return rows, signatures


def render(rows: list[Row], signatures: dict[str, str]) -> str:
    """The plain-text table the script prints."""
    header = ["system", "BLEU", "official BLEU", "chrF", "official chrF", "match"]
    fmt = lambda x: "–" if x is None else f"{x:.2f}"  # noqa: E731
    body = [[r.system, fmt(r.bleu), fmt(r.official_bleu), fmt(r.chrf), fmt(r.official_chrf),
             "✓" if r.match else "✗"] for r in rows]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths)))
             for line in [header, *body]]
    matched = sum(r.match for r in rows)
    lines += ["", f"BLEU: {signatures.get('bleu', '')}", f"chrF: {signatures.get('chrf', '')}",
              f"{matched}/{len(rows)} systems match the official WMT22 scores to two decimals"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=None,
                        help="folder holding wmt22-uk-en/ (default: $MT_SHARED_DATA or ../shared/data)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    data_dir = args.data_dir or default_data_dir()
    if not (data_dir / SUBDIR / REFERENCE).is_file():
        print(f"error: no {SUBDIR}/{REFERENCE} under {data_dir}", file=sys.stderr)
        return 2
    rows, signatures = reproduce(data_dir)
    if not rows:
        print(f"error: no system outputs under {data_dir / SUBDIR / 'system-outputs'}", file=sys.stderr)
        return 2
    ok = all(r.match for r in rows)
    if args.json:
        print(json.dumps({"systems": [{**asdict(r), "match": r.match} for r in rows],
                          "signatures": signatures, "all_match": ok}, ensure_ascii=False, indent=2))
    else:
        print(render(rows, signatures))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
