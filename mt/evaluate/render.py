"""Reports as text and Markdown."""
from __future__ import annotations

from mt.evaluate.score import LABELS, SIGNATURE_OF, Report


def _fmt(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, (int, float)) and not isinstance(value, bool) else "–"


def _keys(report: Report) -> list[str]:
    return list(dict.fromkeys(k for s in report.systems for k in s.corpus))


def _summary_line(report: Report) -> str:
    p = report.pairs
    line = (f"{p.matched} {report.unit}(s) paired; hypothesis {report.systems[0].path}, reference {report.ref}"
            f"; ROUGE language {report.lang}")
    if p.missing or p.extra:
        line += f"; {len(p.missing)} missing, {len(p.extra)} extra"
    return line


def render_text(report: Report) -> str:
    """Compact human-readable table: one score column per system, then the signature."""
    names = [s.name for s in report.systems] if len(report.systems) > 1 else ["score"]
    rows = [["metric", *names, "signature"]]
    for key in _keys(report):
        rows.append([LABELS.get(key, key), *(_fmt(s.corpus.get(key)) for s in report.systems),
                     report.signatures.get(SIGNATURE_OF.get(key, key), "")])
    for key, reason in report.skipped.items():
        rows.append([LABELS.get(key, key), *(["skipped"] * len(names)), reason])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = [_summary_line(report), ""]
    lines += ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
              + "  " + r[-1] for r in rows]
    lines.append(f"BLEU/chrF/TER are corpus-level; ROUGE and COMET are means over {report.unit}s.")
    if report.comparison:
        lines += ["", *_comparison_lines(report, markdown=False)]
    for s in report.systems:
        if s.pairs.missing or s.pairs.extra:
            lines.append(f"pairs ({s.name}): {s.pairs.matched} matched, missing {s.pairs.missing}, "
                         f"extra {s.pairs.extra}")
    lines += [f"warning: {w}" for w in report.warnings]
    return "\n".join(lines) + "\n"


def _comparison_lines(report: Report, markdown: bool) -> list[str]:
    comp = report.comparison or {}
    out = [f"Paired bootstrap resampling ({comp['n_samples']} resamples, seed {comp['seed']}); "
           f"baseline {comp['baseline']}; delta = system - baseline, 95% CI of the delta; "
           "p: sacrebleu's paired bootstrap p-value."]
    header = ["system", "metric", "baseline", "system score", "delta", "95% CI", "p", "winner (p<0.05)"]
    rows = []
    for name, entry in comp["systems"].items():
        for key, m in entry["metrics"].items():
            lo, hi = m["ci95"]
            rows.append([name, LABELS.get(key, key), f"{m['baseline']:.2f}", f"{m['system']:.2f}",
                         f"{m['delta']:+.2f}", f"[{lo:+.2f}, {hi:+.2f}]", f"{m['p_value']:.4f}",
                         m["winner"] or "no significant difference"])
    if markdown:
        return [out[0], "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header),
                *("| " + " | ".join(_md(c) for c in r) + " |" for r in rows), "",
                *(f"- {LABELS.get(k, k)}: `{_md(v)}`" for k, v in comp["signatures"].items())]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return [out[0], *("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in [header, *rows])]


def _md(value: object) -> str:
    return str(value).replace("|", "\\|")


def append_scores_markdown(report: Report, heading: str = "## Scores") -> str:
    """The scores as a Markdown section (corpus table, comparison, per-document table).

    ``heading`` is the section's heading line; subsections are one level deeper.
    """
    sub = heading.split(" ", 1)[0] + "#"
    lines = [heading, "", _summary_line(report) + ".", "",
             "| Metric | " + " | ".join(_md(s.name) for s in report.systems) + " | Signature |",
             "|---|" + "---:|" * len(report.systems) + "---|"]
    for key in _keys(report):
        signature = report.signatures.get(SIGNATURE_OF.get(key, key), "")
        lines.append(f"| {LABELS.get(key, key)} | " + " | ".join(_fmt(s.corpus.get(key)) for s in report.systems)
                     + f" | {'`' + _md(signature) + '`' if signature else ''} |")
    for key, reason in report.skipped.items():
        lines.append(f"| {LABELS.get(key, key)} | " + " | ".join("skipped" for _ in report.systems)
                     + f" | {_md(reason)} |")
    lines += ["", "BLEU, chrF2 and TER are corpus-level; ROUGE (F-measure) and COMET are means over "
              f"{report.unit}s; per-{report.unit} BLEU is sentence BLEU with effective order"
              + (f" (`{_md(report.signatures['bleu_document'])}`)" if "bleu_document" in report.signatures else "")
              + "."]
    if report.comparison:
        lines += ["", f"{sub} Comparison", "", *_comparison_lines(report, True)]
    for system in report.systems:
        keys = [k for k in system.documents[0] if k not in ("id", "terms_found", "term_mentions")]
        title = "Per document" + (f": {system.name}" if len(report.systems) > 1 else "")
        lines += ["", f"{sub} {title}", "", "| id | " + " | ".join(LABELS.get(k, k) for k in keys) + " |",
                  "|---|" + "---:|" * len(keys)]
        lines += [f"| {_md(d['id'])} | " + " | ".join(_fmt(d.get(k)) for k in keys) + " |"
                  for d in system.documents]
        if system.pairs.missing or system.pairs.extra:
            lines += ["", f"Missing (in the reference only): {', '.join(system.pairs.missing) or 'none'}. "
                      f"Extra (in the hypothesis only): {', '.join(system.pairs.extra) or 'none'}."]
    if report.skipped:
        lines += ["", "Not computed: " + "; ".join(f"{LABELS.get(k, k)}: {r}" for k, r in report.skipped.items())
                  + "."]
    if report.warnings:
        lines += ["", *(f"- warning: {_md(w)}" for w in report.warnings)]
    return "\n".join(lines) + "\n"


def render_markdown(report: Report) -> str:
    """A standalone Markdown report (``mt evaluate -o report.md``)."""
    return "# Evaluation report\n\n" + append_scores_markdown(report, heading="## Scores")
