"""Which language a document is written in.

The identifier is py3langid (a maintained fork of langid.py): a naive Bayes model over
byte n-grams for 97 languages. Its model ships inside the wheel
(``py3langid/data/model.npz.xz``, a NumPy archive read with ``allow_pickle=False``), so
nothing is downloaded and nothing is unpickled. It is loaded once per process, on the
first document (about 0.7 s).

A document is judged on its title and first paragraphs (up to ``MAX_CHARS``). Text with
fewer than ``MIN_LETTERS`` letters, or whose best language has a probability under
``MIN_CONFIDENCE``, is ``und`` (undetermined); an undetermined document is never skipped.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

UNDETERMINED = "und"
ANY = "any"
DEFAULT_LANGUAGES = ("uk",)
MAX_CHARS = 4000
MIN_LETTERS = 40
MIN_CONFIDENCE = 0.9

_lock = threading.Lock()
_identifier = None


@dataclass(frozen=True)
class Identified:
    language: str  # ISO 639-1 code ('uk', 'ru', 'en', ...) or 'und'
    confidence: float  # the identifier's probability for it, 0..1


class LanguageOptionError(ValueError):
    """A --languages value that is not a list of language codes nor 'any'."""


def _model():
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return _identifier


_warned = False


def _warn_once(exc: Exception) -> None:
    global _warned
    if not _warned:
        _warned = True
        import logging

        logging.getLogger(__name__).warning("language identification failed (%s: %s); documents are 'und' and "
                                            "none is skipped. Reinstall py3langid.", type(exc).__name__, exc)


def identify(text: str) -> Identified:
    """The language of `text`, or 'und' when the text is too short or the call too close."""
    sample = text[:MAX_CHARS]
    if sum(1 for ch in sample if ch.isalpha()) < MIN_LETTERS:
        return Identified(UNDETERMINED, 0.0)
    try:
        language, confidence = _model().classify(sample)
    except Exception as exc:  # noqa: BLE001 - a broken identifier never stops a batch: the text is 'und'
        _warn_once(exc)
        return Identified(UNDETERMINED, 0.0)
    if confidence < MIN_CONFIDENCE:
        return Identified(UNDETERMINED, round(confidence, 3))
    return Identified(language, round(confidence, 3))


def identify_document(title: str, paragraphs: list[str]) -> Identified:
    """`identify` on a document's title and paragraphs, up to MAX_CHARS."""
    parts, size = [], 0
    for part in [title, *paragraphs]:
        if not part:
            continue
        parts.append(part)
        size += len(part) + 1
        if size >= MAX_CHARS:
            break
    return identify("\n".join(parts))


def parse_languages(value: str | None) -> tuple[str, ...] | None:
    """'uk' -> ('uk',); 'uk,ru' -> ('uk', 'ru'); 'any' -> None (translate everything)."""
    if value is None:
        return DEFAULT_LANGUAGES
    codes = tuple(dict.fromkeys(c.strip().lower() for c in value.split(",") if c.strip()))
    if not codes:
        raise LanguageOptionError("--languages is empty; give codes such as 'uk' or 'uk,ru', or 'any'")
    if ANY in codes:
        return None
    bad = [c for c in codes if not (c.isascii() and c.isalpha() and 2 <= len(c) <= 3)]
    if bad:
        raise LanguageOptionError(f"--languages: '{bad[0]}' is not a language code (use e.g. 'uk', 'uk,ru' or 'any')")
    return codes


def skip_reason(language: str, allowed: tuple[str, ...] | None) -> str | None:
    """'language ru' when a document in `language` is not to be translated; None to go on."""
    if allowed is None or language == UNDETERMINED or language in allowed:
        return None
    return f"language {language}"
