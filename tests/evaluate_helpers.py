"""Helpers shared by tests/test_evaluate.py and tests/test_metrics.py: line files and two systems to compare."""
from __future__ import annotations

from pathlib import Path


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def systems(tmp_path) -> tuple[Path, Path, Path, list[str], list[str], list[str]]:
    """A good and a bad system against 40 references: (good file, bad file, ref file, good, bad, refs)."""
    refs = [f"Delegation number {i} arrived in Pyongyang on Monday to discuss military cooperation." for i in range(40)]
    good = [r.replace("Monday", "Tuesday") if i % 3 == 0 else r for i, r in enumerate(refs)]
    bad = [" ".join(w if j % 2 else "lorem" for j, w in enumerate(r.split())) for r in refs]
    return (write_lines(tmp_path / "good.txt", good), write_lines(tmp_path / "bad.txt", bad),
            write_lines(tmp_path / "ref.txt", refs), good, bad, refs)
