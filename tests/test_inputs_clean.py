from mt.inputs.clean import clean_paragraphs


def test_drops_each_kind_and_keeps_real_paragraphs():
    paragraphs = [
        "Перший абзац статті.",
        "Реклама",
        "Читайте також:",
        "Путін подякував КНДР за участь у війні проти України",
        "Другий абзац. Фото: NPR",
        "https://example.com/news/1",
        "фото з відкритих джерел",
        "Підзаголовок без крапки",
        "Читайте також: Інша новина про щось",
        "Третій абзац з посиланням https://t.me/x всередині.",
        "Інші Новини",
        "У Мадриді протест",
        "Average Rating",
    ]
    cleaned = clean_paragraphs(paragraphs)
    assert cleaned.paragraphs == [
        "Перший абзац статті.",
        "Другий абзац.",
        "Підзаголовок без крапки",
        "Третій абзац з посиланням всередині.",
    ]
    assert cleaned.counts == {"ad": 1, "read_also": 3, "photo_credit": 2, "url": 2, "related": 3}


def test_subheading_after_normal_paragraph_is_kept():
    cleaned = clean_paragraphs(["Абзац.", "Поглиблення військової співпраці РФ і КНДР", "Ще абзац."])
    assert len(cleaned.paragraphs) == 3 and not cleaned.dropped


def test_related_marker_as_first_line_is_not_a_trailing_block():
    cleaned = clean_paragraphs(["Інші новини", "Справжній текст."])
    assert cleaned.paragraphs == ["Інші новини", "Справжній текст."]


def test_word_foto_inside_sentence_is_kept():
    text = "Журналісти показали фото з місця події, яке підтвердило удар."
    assert clean_paragraphs([text]).paragraphs == [text]


PROSE = ["Перший абзац статті про засідання уряду, яке відбулося в понеділок у Києві.",
         "Другий абзац: міністр фінансів виступив із доповіддю про дефіцит бюджету.",
         "Третій абзац статті: депутати від опозиції розкритикували проєкт.",
         "Четвертий абзац: голосування в першому читанні призначили на четвер.",
         "П'ятий абзац: експерти чекають ухвалення документа до кінця місяця."]
HEADLINES = ["У Львові відкрили новий міст", "Синоптики попередили про дощі", "Збірна перемогла у матчі"]


def test_related_box_mid_article_never_cuts_the_prose_after_it():
    cleaned = clean_paragraphs([*PROSE[:2], "Інші новини", *HEADLINES, *PROSE[2:]])
    assert cleaned.paragraphs == PROSE
    assert cleaned.dropped == [("related", p) for p in ["Інші новини", *HEADLINES]]


def test_related_marker_mid_article_with_prose_right_after_drops_only_the_marker():
    cleaned = clean_paragraphs([*PROSE[:2], "Інші новини", *PROSE[2:]])
    assert cleaned.paragraphs == PROSE and cleaned.counts == {"related": 1}


def test_trailing_headline_list_is_cut_to_the_end():
    tail = ["Інші новини", HEADLINES[0], "Короткий анонс першої новини з подробицями.", HEADLINES[1],
            "https://example.com/news/2", HEADLINES[2], "Average Rating"]
    cleaned = clean_paragraphs([*PROSE, *tail])
    assert cleaned.paragraphs == PROSE and cleaned.counts == {"related": len(tail)}


def test_marker_as_last_line_is_dropped():
    cleaned = clean_paragraphs([*PROSE, "Схожі новини"])
    assert cleaned.paragraphs == PROSE and cleaned.counts == {"related": 1}


def test_seeds_keep_their_paragraph_counts():
    from pathlib import Path

    seeds = Path(__file__).resolve().parents[1] / "seeds"
    counts = {p.name[:3]: len(clean_paragraphs(p.read_text(encoding="utf-8").splitlines()).paragraphs)
              for p in sorted(seeds.glob("*.txt"))}
    # the counts before issue 17 (headline line included): seed 003 still loses its 14-line related tail
    assert counts == {"000": 13, "001": 7, "002": 16, "003": 10, "004": 14}
    related = clean_paragraphs((seeds / "003_ac40b6e118bc9d2a.txt").read_text(encoding="utf-8").splitlines())
    assert related.counts == {"related": 14}
