from mt.engines.base import Hypothesis
from mt.inputs.parse import parse_text
from mt.translator import collapse_loops, is_degenerate

ARTICLE = ("Заголовок статті\n"
           "Віктор Горемикін прибув до Пхеньяну. Зустріч відбулася 6 листопада.\n"
           "Друге речення абзацу.\n"
           + "Дуже довге речення, " * 40 + "і кінець.\n")


def test_document_paragraphs_stay_aligned(translator):
    doc = parse_text(ARTICLE, id="a")
    result = translator.translate_document(doc)
    assert len(result.paragraphs) == len(doc.paragraphs) == 3
    assert result.title and all(p for p in result.paragraphs)
    assert result.sentences == 4
    assert result.split_sentences == 1  # the long sentence exceeded the tiny model's budget
    assert result.pieces > 5


def test_every_piece_fits_the_budget(translator):
    from mt.segment import segment

    doc = parse_text(ARTICLE, id="a")
    count = lambda t: translator.engine.count_tokens([t])[0]  # noqa: E731
    pieces = segment(doc.title, doc.paragraphs, count, translator.engine.max_input_tokens)
    assert all(count(p.text) <= translator.engine.max_input_tokens for p in pieces)


def test_repetition_guard_retries_and_records(translator):
    # the untrained model loops; every looping piece is retried with anti-repetition settings
    result = translator.translate_document(parse_text(ARTICLE, id="a"))
    assert result.retries > 0


def test_documents_share_batches_and_map_back_to_their_documents(translator):
    docs = [parse_text(f"Заголовок {i}\nТекст номер {i}. Ще одне речення.", id=str(i)) for i in range(3)]
    together = translator.translate_documents(docs)
    alone = [translator.translate_document(d) for d in docs]
    assert [r.doc.id for r in together] == ["0", "1", "2"]
    assert [(r.sentences, r.pieces, len(r.paragraphs)) for r in together] == \
        [(r.sentences, r.pieces, len(r.paragraphs)) for r in alone]


def test_identical_sentences_are_generated_once_per_window(translator, spy_engine):
    seen: list[str] = []

    def before(texts, settings=None):
        if settings is None or not settings.anti_repeat:
            seen.extend(texts)

    spy_engine(translator.engine, before)
    docs = [parse_text(f"Заголовок {i}\nТекст номер {i}. Ще одне речення.", id=str(i)) for i in range(3)]
    translator.translate_documents(docs)
    assert seen.count("Ще одне речення.") == 1
    assert sorted(seen) == sorted(set(seen))


def test_translate_sentences_api(translator):
    out = translator.translate(["Привіт.", "Як справи?"])
    assert len(out) == 2 and all(isinstance(o, str) for o in out)


def test_degenerate_detection():
    assert is_degenerate(5, Hypothesis("the the the the the the", 6))
    assert is_degenerate(5, Hypothesis("fine", 64, hit_limit=True))
    assert is_degenerate(2, Hypothesis("a b c d e f g h i j k l m n o p q r s", 30))
    assert not is_degenerate(8, Hypothesis("Viktor Goremykin arrived in Pyongyang.", 9))
    assert collapse_loops("ab ab ab ab ab end") == "ab end"
