"""Ukrainian → Latin romanizations, and the spelling variants an MT model may emit.

Systems (`romanize(text, system)`):

* ``kmu2010`` — the official Ukrainian national system (Cabinet of Ministers
  resolution 55 of 2010): Г→h, Ґ→g, Є/Ї/Й/Ю/Я → Ye/Yi/Y/Yu/Ya at the start of a
  word and ie/i/i/iu/ia elsewhere, зг→zgh, ь and the apostrophe are dropped.
* ``scholarly`` — the scientific (linguistic) transliteration: h, g, je, ž,
  ji, j, ch, c, č, š, šč, ʹ, ju, ja.
* ``iso9`` — ISO 9:1995 (one letter per letter: g̀, ê, ì, ï, ŝ, û, â).
* ``bgn`` — Russian-style BGN/PCGN, the way English media render Russian names
  written in Ukrainian (Горемикін → Goremykin, Сирський → Syrskiy): Г→g, И→y
  (i after к г х ж ч ш щ ц), І→i, Є→ye/e, Ї→yi, Й→y, Х→kh, Ц→ts, Ю→yu, Я→ya.

`variants(text)` is the set of spellings worth recognising on the English
side: every system, its ASCII folding, and common model/media habits
(й→i, х→h, г→g/h, и→i, і→e, є→e, -ський→-sky).
"""
from __future__ import annotations

import unicodedata

SYSTEMS = ("kmu2010", "scholarly", "iso9", "bgn")

_COMMON = {
    "а": "a", "б": "b", "в": "v", "д": "d", "е": "e", "з": "z", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "ґ": "g",
}
_KMU = {**_COMMON, "г": "h", "ж": "zh", "и": "y", "і": "i", "ї": "i", "й": "i", "х": "kh",
        "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "є": "ie", "ю": "iu", "я": "ia",
        "'": ""}
_KMU_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
_SCHOLARLY = {**_COMMON, "г": "h", "ж": "ž", "и": "y", "і": "i", "ї": "ji", "й": "j",
              "х": "ch", "ц": "c", "ч": "č", "ш": "š", "щ": "šč", "ь": "ʹ", "є": "je",
              "ю": "ju", "я": "ja", "'": ""}
_ISO9 = {**_COMMON, "г": "g̀", "ж": "ž", "и": "i", "і": "ì", "ї": "ï", "й": "j", "х": "h",
         "ц": "c", "ч": "č", "ш": "š", "щ": "ŝ", "ь": "ʹ", "є": "ê", "ю": "û", "я": "â",
         "'": "ʼ"}
_BGN = {**_COMMON, "г": "g", "ж": "zh", "и": "y", "і": "i", "ї": "yi", "й": "y", "х": "kh",
        "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "є": "e", "ю": "yu", "я": "ya",
        "'": ""}
_TABLES = {"kmu2010": _KMU, "scholarly": _SCHOLARLY, "iso9": _ISO9, "bgn": _BGN}
_VOWELS = set("аеєиіїоуюяь'")
_APOS = str.maketrans({"ʼ": "'", "’": "'", "`": "'", "‘": "'"})


def _letters(text: str) -> list[tuple[str, bool, bool]]:
    """(lowercase letter, is_upper, starts_word) for every character."""
    out = []
    prev_alpha = False
    for ch in text.translate(_APOS):
        low = ch.lower()
        out.append((low, ch != low, not prev_alpha))
        prev_alpha = ch.isalpha() or ch == "'"
    return out


def _one(letters: list[tuple[str, bool, bool]], i: int, system: str) -> str:
    low, _, initial = letters[i]
    table = _TABLES[system]
    if low not in table:
        return low
    prev = letters[i - 1][0] if i else ""
    if system == "kmu2010":
        if initial and low in _KMU_INITIAL:
            return _KMU_INITIAL[low]
        if low == "г" and prev == "з":
            return "gh"
    elif system == "bgn":
        if low == "є" and (initial or prev in _VOWELS):
            return "ye"
        if low == "и" and prev in set("кгхжчшщц"):
            return "i"
    return table[low]


_ALIASES = {"kmu": "kmu2010", "national": "kmu2010", "scientific": "scholarly", "iso": "iso9",
            "iso-9": "iso9", "bgn/pcgn": "bgn", "bgn-pcgn": "bgn", "russian": "bgn"}


def romanize(text: str, system: str = "kmu2010") -> str:
    """Romanize Ukrainian `text` with one of `SYSTEMS` (or an alias such as
    "bgn/pcgn", "iso", "kmu"); other characters pass through."""
    system = _ALIASES.get(system.lower(), system.lower())
    if system not in _TABLES:
        raise ValueError(f"unknown romanization system {system!r}; choose from {', '.join(SYSTEMS)}")
    letters = _letters(text)
    words_upper = _upper_words(text)
    out = []
    for i, (_, upper, _) in enumerate(letters):
        rom = _one(letters, i, system)
        if upper and rom:
            rom = rom.upper() if words_upper[i] else rom[0].upper() + rom[1:]
        out.append(rom)
    return "".join(out)


def _upper_words(text: str) -> list[bool]:
    """For each character: is it inside an all-caps word of 2+ letters?"""
    flags = [False] * len(text)
    start = None
    for i, ch in enumerate(text + " "):
        if ch.isalpha():
            start = i if start is None else start
            continue
        if start is not None:
            word = text[start:i]
            if len(word) > 1 and word.isupper():
                flags[start:i] = [True] * (i - start)
            start = None
    return flags


def ascii_fold(text: str) -> str:
    """Strip diacritics and modifier letters: Horemykin, Goremykin, Čen → Cen."""
    text = text.replace("ʹ", "").replace("ʼ", "")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Per-letter alternatives an MT model or a newsroom may use (first = primary).
_MEDIA = {
    "г": ("h", "g"), "ґ": ("g",), "е": ("e",), "є": ("ye", "ie", "e", "je"),
    "ж": ("zh", "j"), "и": ("y", "i"), "і": ("i", "e"), "ї": ("yi", "i", "ji"),
    "й": ("y", "i", ""), "х": ("kh", "h", "ch"), "ц": ("ts", "c", "tz"), "ч": ("ch",),
    "ш": ("sh",), "щ": ("shch", "sch"), "ь": ("",), "ю": ("yu", "iu", "ju", "u"),
    "я": ("ya", "ia", "ja", "a"), "'": ("",),
}


def _media_variants(word: str, limit: int) -> list[str]:
    """Letter-by-letter alternatives for one word, primary spellings first."""
    out = [""]
    for low, upper, _ in _letters(word):
        alts = _MEDIA.get(low) or (_TABLES["kmu2010"].get(low, low),)
        nxt = []
        for prefix in out:
            for alt in alts:
                nxt.append(prefix + (alt.capitalize() if upper else alt))
                if len(nxt) >= limit:
                    break
            if len(nxt) >= limit:
                break
        out = nxt
    return out


def variants(text: str, limit: int = 48) -> set[str]:
    """English spellings a Ukrainian name may come out as.

    Each word is varied separately and the words are joined with a space; for
    long phrases the combinations are capped at `limit`. Returns the systems'
    outputs, their ASCII foldings, and media-style alternatives such as
    Goremykin/Horemykin/Horemikin (Горемикін, Горемікін), Kim Chen In / Kim
    Chen Yn (Кім Чен Ин), Shoigu/Shoygu (Шойгу), Syrsky/Syrskyi (Сирський).
    """
    out: set[str] = set()
    for system in SYSTEMS:
        rom = romanize(text, system)
        out |= {rom, ascii_fold(rom)}
    parts = text.split()
    per_word = [_word_variants(w, limit) for w in parts]
    combos = [""]
    for options in per_word:
        combos = [f"{c} {o}".strip() for c in combos for o in options][:limit]
    out.update(combos)
    return {v for v in out if v}


def _word_variants(word: str, limit: int) -> list[str]:
    opts = [romanize(word, s) for s in SYSTEMS]
    opts += [ascii_fold(o) for o in opts]
    opts += _media_variants(word, limit)
    low = word.lower().translate(_APOS)
    extra = []
    for o in opts:
        lo = o.lower()
        if low.endswith(("ський", "цький")) and lo.endswith(("yi", "iy", "ij", "yj", "ii")):
            extra += [o[:-2] + "y", o[:-2] + "i", o[:-2] + "iy"]  # Syrsky, Syrskiy
        if low.endswith("ій") and not low.endswith(("ський", "цький")):
            extra += [o[:-2] + "ei", o[:-2] + "y"]  # Sergei, Sergy
    return list(dict.fromkeys(opts + extra))
