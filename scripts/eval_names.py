"""Measure mt's name handling on real Ukrainian text no one here wrote (issue 15).

    python scripts/eval_names.py [--json out.json] [--baseline REV] [--data ../shared/data]

Prints (and writes with --json):

* segmentation: sentence-boundary F1 of mt's splitter and of plain tokenize-uk on the
  UD_Ukrainian-IU dev paragraphs (gold sentences);
* matching: precision and recall of mt's `Glossary.find` with the data's own glossary
  (`glossary-dev.tsv`, built from the treebank's lemmas), overall, on inflected mentions and on
  mentions with initials (В. Шевченко, Гаврилюк А.О.); a mention is right when its span and its
  target are the gold ones;
* extraction: what `mt glossary extract` + `mt glossary check` with the draft do, on the NER-UK 2.0
  dev documents, compared with the gold PERS/ORG/LOC spans: exact-span and overlap P/R/F1 overall
  (untyped) and by gold type, typed F1 per type (span and type both right), type agreement on
  span-matched mentions; the nominative of PERS mentions, measured on the UD person mentions
  (gold lemmas) and listed as a sample from NER-UK rows;
* extraction throughput in words per second.

With --baseline REV (a git revision, e.g. HEAD~5) the same figures are measured for that revision's
`mt` in the same run (its package is exported with `git archive` into a temporary folder and run in
a subprocess), and a before/after table is printed.

The data is CC BY-NC-SA: it is read from the shared folder at run time only; nothing derived from
it is written anywhere but the --json report.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data"
if not DEFAULT_DATA.exists():
    DEFAULT_DATA = Path("/work/shared/data")


# ---------------------------------------------------------------- mt, at either package layout

def _mt():
    """mt's modules as one namespace, whichever package layout this checkout has."""
    ns = argparse.Namespace()
    try:
        from mt.glossary import Glossary, load_glossary
        from mt.glossary import draft as extract
        from mt.glossary import forms as morph
    except ImportError:  # the layout before issue 14
        from mt import extract, morph  # type: ignore
        from mt.glossary import Glossary, load_glossary  # type: ignore
    from mt.segment import split_sentences
    try:
        from mt.inputs.corpus import parse_text
    except ImportError:
        try:
            from mt.corpus import parse_text  # type: ignore
        except ImportError:  # pragma: no cover
            parse_text = None
    ns.Glossary, ns.load_glossary, ns.morph, ns.extract = Glossary, load_glossary, morph, extract
    ns.split_sentences, ns.parse_text = split_sentences, parse_text
    return ns


def _f1(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4),
            "tp": tp, "pred": n_pred, "gold": n_gold}


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


# ---------------------------------------------------------------- segmentation

def _boundaries(paragraph: str, sentences: list[str]) -> set[int]:
    out, pos = set(), 0
    for s in sentences:
        i = paragraph.find(s, pos)
        if i < 0:
            i = paragraph.find(s.split()[0], pos) if s.split() else -1
        if i < 0:
            continue
        if i > 0:
            out.add(i)
        pos = i + len(s)
    return out


def segmentation(mt, ud: list[dict]) -> dict:
    from tokenize_uk import tokenize_sents

    counts = {"mt": [0, 0], "tokenize_uk": [0, 0]}
    gold_n = 0
    misses = []
    for doc in ud:
        for par in doc["paragraphs"]:
            text = " ".join(par["sentences"])
            gold = _boundaries(text, par["sentences"])
            gold_n += len(gold)
            for name, split in (("mt", mt.split_sentences),
                                ("tokenize_uk", lambda t: [s.strip() for s in tokenize_sents(t) if s.strip()])):
                pred = _boundaries(text, split(text))
                counts[name][0] += len(pred & gold)
                counts[name][1] += len(pred)
                if name == "mt" and pred != gold and len(misses) < 8:
                    misses.append({"missed": [text[max(0, b - 30):b + 10] for b in sorted(gold - pred)],
                                   "wrong": [text[max(0, b - 30):b + 10] for b in sorted(pred - gold)]})
    return {name: _f1(tp, n, gold_n) for name, (tp, n) in counts.items()} | {"mt_errors_sample": misses}


# ---------------------------------------------------------------- matching

def _ud_text(doc: dict) -> str:
    return "\n\n".join(" ".join(p["sentences"]) for p in doc["paragraphs"])


_INITIAL = re.compile(r"(?<!\w)\w\.")


def _span(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and text[end - 1] in ". ":
        end -= 1
    return start, end


def matching(mt, ud: list[dict], glossary_path: Path) -> dict:
    gloss = mt.load_glossary(glossary_path)
    key = mt.morph.norm_key
    groups = ("overall", "inflected", "initials")
    tp = Counter()
    gold_n = Counter()
    pred_n = Counter()
    misses, wrong = [], []
    for doc in ud:
        text = _ud_text(doc)
        gold = {}
        for m in doc["mentions"]:
            gs = _span(text, m["start"], m["end"])
            tags = {"overall"}
            if " ".join(key(w) for w in mt.morph.words(m["text"])) != " ".join(
                    key(w) for w in mt.morph.words(m["lemma"])):
                tags.add("inflected")
            if _INITIAL.search(m["lemma"]):
                tags.add("initials")
            gold[gs] = (m["target"], tags, m["text"])
            for t in tags:
                gold_n[t] += 1
        for m in gloss.find(text):
            ps = _span(text, m.start, m.end)
            g = gold.get(ps)
            ptags = {"overall"} | ({"initials"} if _INITIAL.search(text[m.start:m.end + 1]) else set())
            if g is not None:
                ptags |= g[1] & {"inflected", "initials"}
            for t in ptags:
                pred_n[t] += 1
            if g is not None and g[0] == m.target:
                for t in g[1]:
                    tp[t] += 1
                gold.pop(ps)
            elif len(wrong) < 25:
                wrong.append(f"{m.text} -> {m.source}")
        for (s, e), (_target, _tags, surface) in gold.items():
            if len(misses) < 25:
                misses.append(f"{surface} [{text[max(0, s - 25):e + 10]!r}]")
    out = {g: _f1(tp[g], pred_n[g], gold_n[g]) for g in groups}
    out["misses_sample"], out["false_sample"] = misses, wrong
    return out


# ---------------------------------------------------------------- extraction

TYPE_OF = {"person": "PERS", "org": "ORG", "place": "LOC"}


def _draft(mt, docs: list[tuple[str, str]]) -> tuple[list, object, float]:
    """`mt glossary extract` over the documents: (candidates, loaded draft glossary, seconds)."""
    inputs = []
    for doc_id, text in docs:
        if mt.parse_text is not None:
            try:
                d = mt.parse_text(text, fmt="txt", id=doc_id)
                inputs.append((d.id, "\n".join([d.title, *d.paragraphs])))
                continue
            except Exception:  # noqa: BLE001 - an empty document is no input
                continue
        inputs.append((doc_id, text))
    t0 = time.perf_counter()
    cands = mt.extract.extract_candidates(inputs)
    seconds = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        path = mt.extract.write_draft(cands, Path(tmp) / "draft.tsv")
        gloss = mt.load_glossary(path)
    return cands, gloss, seconds


def _overlap(a, b) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def extraction(mt, ner: list[dict], sample: int = 40) -> dict:
    docs = [(d["id"], d["text"]) for d in ner]
    cands, gloss, seconds = _draft(mt, docs)
    words = sum(len(mt.morph.tokenize(t)) for _, t in docs)
    exact = Counter()  # untyped
    exact_by_gold = Counter()
    over_by_gold = Counter()
    gold_by_type = Counter()
    typed_tp, typed_pred = Counter(), Counter()
    agree, agree_n = Counter(), Counter()
    over_tp = over_pred_hit = n_pred = n_gold = 0
    pers_pairs: list[tuple[str, str]] = []
    false_rows = Counter()
    for doc_id, text in docs:
        gold = [(s, e, t) for s, e, t, _ in (x for x in _gold_entities(text, doc_id, ner))]
        n_gold += len(gold)
        for g in gold:
            gold_by_type[g[2]] += 1
        by_span = {(s, e): t for s, e, t in gold}
        pred = []
        for m in gloss.find(text):
            ptype = TYPE_OF.get(m.type, m.type.upper())
            pred.append((m.start, m.end, ptype, m))
        n_pred += len(pred)
        for s, e, ptype, m in pred:
            typed_pred[ptype] += 1
            g = by_span.get((s, e))
            if g is not None:
                exact["tp"] += 1
                exact_by_gold[g] += 1
                agree_n[g] += 1
                if g == ptype:
                    agree[g] += 1
                    typed_tp[g] += 1
                if g == "PERS" and len(pers_pairs) < 100000:
                    pers_pairs.append((m.text, m.source))
            if any(_overlap((s, e), (gs, ge)) for gs, ge, _ in gold):
                over_pred_hit += 1
            else:
                false_rows[m.source] += 1
        for gs, ge, gt in gold:
            if any(_overlap((s, e), (gs, ge)) for s, e, _, _ in pred):
                over_by_gold[gt] += 1
                over_tp += 1
    out = {
        "exact": _f1(exact["tp"], n_pred, n_gold),
        "overlap": {**_f1(over_tp, n_pred, n_gold),
                    "p": round(over_pred_hit / n_pred, 4) if n_pred else 0.0},
        "recall_by_type": {t: {"exact": round(exact_by_gold[t] / gold_by_type[t], 4),
                               "overlap": round(over_by_gold[t] / gold_by_type[t], 4)}
                           for t in ("PERS", "ORG", "LOC")},
        "typed": {t: _f1(typed_tp[t], typed_pred[t], gold_by_type[t]) for t in ("PERS", "ORG", "LOC")},
        "type_agreement": {t: round(agree[t] / agree_n[t], 4) if agree_n[t] else 0.0
                           for t in ("PERS", "ORG", "LOC")},
        "rows": len(cands),
        "words": words,
        "seconds": round(seconds, 2),
        "words_per_s": round(words / seconds) if seconds else 0,
        "false_rows_top": false_rows.most_common(30),
    }
    p = out["overlap"]["p"]
    r = out["overlap"]["r"]
    out["overlap"]["f1"] = round(2 * p * r / (p + r), 4) if p + r else 0.0
    changed = sorted({(a, b) for a, b in pers_pairs if mt.morph.norm_key(a) != mt.morph.norm_key(b)})
    random.Random(15).shuffle(changed)
    out["pers_nominative_sample"] = [f"{a} -> {b}" for a, b in changed[:sample]]
    return out


def _gold_entities(text: str, doc_id: str, ner: list[dict]):
    ents = _GOLD.get(doc_id)
    return ents if ents is not None else []


_GOLD: dict[str, list] = {}


def nominatives(mt, ud: list[dict]) -> dict:
    """The draft's nominative for gold person mentions of the UD data (gold lemmas)."""
    docs = [(d["doc"], _ud_text(d)) for d in ud]
    _, gloss, _ = _draft(mt, docs)
    key = lambda s: " ".join(mt.morph.norm_key(w) for w in mt.morph.words(s))  # noqa: E731
    right = changed_right = n = changed_n = 0
    wrong = []
    for (_doc_id, text), doc in zip(docs, ud):
        found = {(m.start, m.end): m for m in gloss.find(text)}
        for g in doc["mentions"]:
            if g["type"] != "person":
                continue
            m = found.get((g["start"], g["end"]))
            if m is None:
                continue
            n += 1
            ok = key(m.source) == key(g["lemma"])
            is_changed = key(g["text"]) != key(g["lemma"]) or key(m.source) != key(g["text"])
            right += ok
            if is_changed:
                changed_n += 1
                changed_right += ok
            if not ok and len(wrong) < 20:
                wrong.append(f"{g['text']} -> {m.source} (gold {g['lemma']})")
    return {"person_mentions": n, "wrong": round(1 - right / n, 4) if n else 0.0,
            "changed": changed_n, "wrong_changed": round(1 - changed_right / changed_n, 4) if changed_n else 0.0,
            "wrong_sample": wrong}


# ---------------------------------------------------------------- run

def measure(data: Path, parts: set[str]) -> dict:
    mt = _mt()
    ud_dir, ner_dir = data / "ud-uk-iu-dev", data / "ner-uk-v2-dev"
    out: dict = {}
    if "segmentation" in parts or "matching" in parts or "nominative" in parts:
        ud = _read_jsonl(ud_dir / "dev.jsonl")
    if "segmentation" in parts:
        out["segmentation"] = segmentation(mt, ud)
    if "matching" in parts:
        out["matching"] = matching(mt, ud, ud_dir / "glossary-dev.tsv")
    if "extraction" in parts:
        ner = _read_jsonl(ner_dir / "dev.jsonl")
        for d in ner:
            _GOLD[d["id"]] = [tuple(e) for e in d["entities"] if e[2] in ("PERS", "ORG", "LOC")]
        out["extraction"] = extraction(mt, ner)
    if "nominative" in parts:
        out["nominative"] = nominatives(mt, ud)
    return out


def _baseline(rev: str, data: Path, parts: set[str]) -> dict:
    """The same figures for revision `rev` of mt, in a subprocess over a `git archive` export."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "mt"], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        env = {**os.environ, "PYTHONPATH": tmp}
        res = subprocess.run([sys.executable, __file__, "--data", str(data), "--parts",
                              ",".join(sorted(parts)), "--raw"], cwd=tmp, env=env,
                             capture_output=True, text=True)
        if res.returncode != 0:
            raise SystemExit(f"baseline {rev} failed: {res.stderr.strip().splitlines()[-1:]}")
        return json.loads(res.stdout)


ROWS = [  # (label, path, target text)
    ("segmentation F1 mt", ("segmentation", "mt", "f1"), ">= tokenize-uk"),
    ("segmentation F1 tokenize-uk", ("segmentation", "tokenize_uk", "f1"), "reference"),
    ("matching P overall", ("matching", "overall", "p"), ">= 0.99"),
    ("matching R overall", ("matching", "overall", "r"), ">= 0.99"),
    ("matching R inflected", ("matching", "inflected", "r"), ""),
    ("matching P initials", ("matching", "initials", "p"), ""),
    ("matching R initials", ("matching", "initials", "r"), "(in overall)"),
    ("extraction exact P", ("extraction", "exact", "p"), ""),
    ("extraction exact R", ("extraction", "exact", "r"), ""),
    ("extraction exact F1", ("extraction", "exact", "f1"), ">= 0.80"),
    ("extraction overlap F1", ("extraction", "overlap", "f1"), ""),
    ("PERS recall (exact span)", ("extraction", "recall_by_type", "PERS", "exact"), ">= 0.95"),
    ("LOC recall (exact span)", ("extraction", "recall_by_type", "LOC", "exact"), ""),
    ("ORG recall (exact span)", ("extraction", "recall_by_type", "ORG", "exact"), ">= 0.70"),
    ("PERS type F1", ("extraction", "typed", "PERS", "f1"), ">= 0.90"),
    ("LOC type F1", ("extraction", "typed", "LOC", "f1"), ">= 0.80"),
    ("ORG type F1", ("extraction", "typed", "ORG", "f1"), ">= 0.60"),
    ("ORG type agreement", ("extraction", "type_agreement", "ORG"), ""),
    ("wrong PERS nominatives (UD)", ("nominative", "wrong"), "<= 0.02"),
    ("wrong changed PERS nominatives (UD)", ("nominative", "wrong_changed"), "<= 0.02"),
    ("extraction words/s", ("extraction", "words_per_s"), ">= before"),
]


def _get(d: dict, path):
    for k in path:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def _table(now: dict, before: dict | None) -> str:
    head = ["figure", "before", "now", "target"] if before else ["figure", "now", "target"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, path, target in ROWS:
        v = _get(now, path)
        if v is None:
            continue
        cells = [label] + ([str(_get(before, path))] if before else []) + [str(v), target]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with ud-uk-iu-dev/ and ner-uk-v2-dev/")
    ap.add_argument("--json", type=Path, help="write every figure (and samples) to this JSON file")
    ap.add_argument("--baseline", metavar="REV", help="also measure this git revision's mt, in the same run")
    ap.add_argument("--parts", default="segmentation,matching,extraction,nominative",
                    help="comma-separated subset of segmentation,matching,extraction,nominative")
    ap.add_argument("--raw", action="store_true", help=argparse.SUPPRESS)  # baseline subprocess: JSON only
    args = ap.parse_args(argv)
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    for sub in ("ud-uk-iu-dev", "ner-uk-v2-dev"):
        if not (args.data / sub / "dev.jsonl").is_file():
            print(f"eval_names: {args.data / sub / 'dev.jsonl'} not found; pass --data FOLDER "
                  f"(the shared data folder with {sub}/)", file=sys.stderr)
            return 2
    now = measure(args.data, parts)
    if args.raw:
        print(json.dumps(now, ensure_ascii=False))
        return 0
    before = _baseline(args.baseline, args.data, parts) if args.baseline else None
    if before and "extraction" in now and before.get("extraction", {}).get("words_per_s"):
        now["extraction"]["speed_vs_before"] = round(
            now["extraction"]["words_per_s"] / before["extraction"]["words_per_s"], 3)
    report = {"now": now, "before": before, "baseline": args.baseline}
    for name, res in now.items():
        print(f"== {name}")
        for k, v in res.items():
            if isinstance(v, list):
                print(f"  {k}:")
                for item in v[:40]:
                    print(f"    {item}")
            else:
                print(f"  {k}: {v}")
    print()
    print(_table(now, before))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
