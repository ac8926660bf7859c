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
