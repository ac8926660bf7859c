"""mt.glossary.forms: tokens and match keys, inflected forms of names, lemma guesses."""
from __future__ import annotations

from mt.glossary import forms as morph


def test_tokens_keep_apostrophes_and_hyphens_inside_words():
    text = "В’ячеслав Римський-Корсаков, 2024: ЦТАК"
    tokens = morph.tokenize(text)
    assert [t.text for t in tokens] == ["В’ячеслав", "Римський-Корсаков", "ЦТАК"]
    assert all(text[t.start:t.end] == t.text for t in tokens)
    assert [t.key for t in tokens] == ["в'ячеслав", "римський-корсаков", "цтак"]


def test_match_keys_fold_case_apostrophes_g_stress_and_latin_look_alikes():
    assert morph.norm_key("Ґава") == "гава"
    assert morph.norm_key("Пхенья\u0301н") == "пхеньян"
    assert morph.norm_key("В`ячеслав") == morph.norm_key("Вʼячеслав") == "в'ячеслав"
    assert morph.norm_key("Kим") == "ким"  # Latin K inside a Cyrillic word
    assert morph.norm_key("Kim") == "kim"  # a Latin word stays Latin


def test_unknown_surname_goremykin_inflects_by_the_suffix_model():
    forms = morph.word_forms("Горемикін")
    assert {"горемикін", "горемикіна", "горемикіну", "горемикіним", "горемикіні", "горемикінові"} <= forms
    assert "горемикіною" not in forms  # a feminine ending is not a form of this masculine surname
    assert morph.lemma_candidates("горемикіним")[0][0] == "горемикін"
    assert "горемикін" in morph.suffix_lemmas("горемикіну")


def test_suffix_paradigms():
    assert {"йолем", "йолю"} <= morph.suffix_forms("йоль")
    assert {"сирського", "сирському", "сирським"} <= morph.suffix_forms("сирський")
    assert {"мацегори", "мацегорою"} <= morph.suffix_forms("мацегора")
    assert "алясці" in morph.suffix_forms("аляска") and "аляска" in morph.suffix_lemmas("алясці")
    assert morph.suffix_forms("шойгу") == {"шойгу"}  # vowel-final foreign names do not decline
    assert morph.suffix_forms("nato") == {"nato"}


def test_acronyms_and_latin_words_never_inflect():
    assert morph.word_forms("ЦТАК") == frozenset({"цтак"})
    assert morph.word_forms("Reuters") == frozenset({"reuters"})
    assert morph.is_acronym("КНДР") and not morph.is_acronym("Кім") and not morph.is_acronym("А")


def test_sentence_initial_positions():
    text = "Він сказав. «Горемикін прибув»\n— Кім теж, а Путін ні"
    assert morph.sentence_initial(text, 0)
    assert morph.sentence_initial(text, text.index("Горемикін"))  # after ". «"
    assert morph.sentence_initial(text, text.index("Кім"))  # a new line, then a dash
    assert not morph.sentence_initial(text, text.index("Путін"))


def test_common_words_are_told_from_names():
    assert morph.is_common_word("також") and not morph.is_common_word("кім")


# ------------------------------------------------------------------ issue 15

def test_short_entries_do_not_inflect_into_function_words():
    from mt.glossary.match import Glossary

    gl = Glossary.from_entries([("Н", "N", "org"), ("А", "A", "org")])
    assert [m.text for m in gl.find("На мосту. Не зараз. Нові дані. Ні. У місті.")] == []


def test_function_words_are_known_even_where_the_dictionary_is_silent():
    for word in ("ще", "вже", "про", "на", "не", "та", "ну"):
        assert morph.is_function_word(word) and morph.is_common_word(word), word
    for name in ("тарас", "ян", "київ"):
        assert not morph.is_function_word(name), name


def test_plural_surname_forms():
    assert {"антоновичів", "антоновичам", "антоновичами"} <= morph.suffix_forms("антонович")
    assert {"іванових", "іванови"} <= morph.suffix_forms("іванов")
    assert {"грушевські", "грушевських"} <= morph.suffix_forms("грушевський")
    assert {"коваленків", "коваленки"} <= morph.suffix_forms("коваленко")


def test_lower_case_name_entries_get_the_suffix_model_too():
    assert "самсунгом" in morph.word_forms("самсунг", name=True)


def test_name_tags():
    assert morph.is_given_name("тарас") and morph.is_surname("шевченко") and morph.is_patronymic("григорович")
    assert not morph.is_given_name("київ")
    assert morph.is_unknown("горемикін") and not morph.is_unknown("київ")
