#!/usr/bin/env python3
"""How fast glossary matching is: mt's `Glossary.find` against one regular expression of the same forms.

The glossary is the seeds' entries plus 420 made-up two-word person names (about 500 entries); the
text is a seed article repeated to 5,000 words. The baseline is what a plain matcher would do: one
compiled alternation of every surface form mt generates for the entries (`word_forms`), longest
first, with word boundaries. It finds fewer names (no compounds, no initials, no guards) but needs
no analysis of the text, so the ratio says what mt's matching costs on top of a lookup.

Both run in turns in one process, best of N passes each: a ratio, not a wall-clock claim.

Usage: scripts/bench_match.py [--passes N] [--json]
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # runnable from a checkout without `pip install -e .`
    sys.path.insert(0, str(REPO))


def made_up_glossary():
    from mt.glossary import load_glossary
    from mt.glossary.match import Glossary

    rng = random.Random(1)
    syll = ["ко", "ва", "лен", "дро", "мир", "сан", "тин", "пер", "гал", "бор", "зен", "рук"]
    entries = [(f"{rng.choice(syll).capitalize()}{rng.choice(syll)}{rng.choice(syll)}ін "
                f"{rng.choice(syll).capitalize()}{rng.choice(syll)}енко", f"Name {i}", "person") for i in range(420)]
    seeds = load_glossary(REPO / "seeds" / "glossary.tsv")
    entries += [(s, e.target, e.type) for e in seeds.entries for s in e.sources]
    return Glossary.from_entries(entries), entries


def article(words: int = 5000) -> str:
    text = " ".join((REPO / "seeds" / "002_017250b7c650f034.txt").read_text(encoding="utf-8").split()).split()
    return " ".join((text * (words // len(text) + 1))[:words])


def baseline(entries) -> re.Pattern:
    from mt.glossary.forms import word_forms

    forms = set()
    for source, _, _ in entries:
        parts = [sorted(word_forms(w, name=True)) or [w] for w in source.split()]
        if len(parts) == 1:
            forms.update(parts[0])
        else:  # every form of the last word after the first word as written (what a lookup table holds)
            forms.update(" ".join([*source.split()[:-1], last]) for last in parts[-1])
    alternation = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE)


def measure(passes: int = 5) -> dict:
    glossary, entries = made_up_glossary()
    text = article()
    pattern = baseline(entries)
    glossary.find("Путін")  # compile mt's matcher outside the timing
    best = {"mt": float("inf"), "regex": float("inf")}
    found = {}
    for _ in range(passes):
        for name, run in (("mt", lambda: glossary.find(text)), ("regex", lambda: pattern.findall(text))):
            start = time.perf_counter()
            found[name] = len(run())
            best[name] = min(best[name], time.perf_counter() - start)
    return {"entries": len(glossary), "words": len(text.split()), "passes": passes,
            "seconds": {k: round(v, 4) for k, v in best.items()},
            "words_per_s": {k: round(len(text.split()) / v) for k, v in best.items()},
            "mentions": found, "mt_over_regex_time": round(best["mt"] / best["regex"], 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = measure(max(1, args.passes))
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{result['entries']} entries, {result['words']} words, best of {result['passes']}:")
    for name in ("mt", "regex"):
        print(f"  {name:5s} {result['seconds'][name] * 1000:7.1f} ms  {result['words_per_s'][name]:>9,} words/s  "
              f"{result['mentions'][name]} mentions")
    print(f"mt takes {result['mt_over_regex_time']}x the time of one regular expression of the same forms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
