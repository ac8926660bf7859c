import pytest

from mt.segment import Piece, reassemble, segment, split_sentences, split_to_budget


@pytest.mark.parametrize("text,expected", [
    ("Його очолив проф. І. Франко. Він приїхав.", ["Його очолив проф. І. Франко.", "Він приїхав."]),
    ("Зустріч у м. Київ відбулася у 2024 р. і минула спокійно. Далі буде.",
     ["Зустріч у м. Київ відбулася у 2024 р. і минула спокійно.", "Далі буде."]),
    ("Це т. зв. лідер країни. Інше речення!", ["Це т. зв. лідер країни.", "Інше речення!"]),
    ("Зустріч з В. Путіним відбулась 6 листопада. Наступна - у грудні?",
     ["Зустріч з В. Путіним відбулась 6 листопада.", "Наступна - у грудні?"]),
    ("В. Путін та В. В. Володін сказали: «Так». А потім пішли...",
     ["В. Путін та В. В. Володін сказали: «Так».", "А потім пішли..."]),
    ("Одне речення без крапки", ["Одне речення без крапки"]),
])
def test_ukrainian_sentences(text, expected):
    assert split_sentences(text) == expected


def words(text: str) -> int:
    return len(text.split())


def test_budget_split_prefers_clause_boundaries_and_never_truncates():
    text = ("Перша частина речення з кількома словами; друга частина теж довга, з комою і ще словами, "
            "третя частина — після тире, і кінець речення тут.")
    pieces = split_to_budget(text, words, budget=8)
    assert all(words(p) <= 8 for p in pieces)
    assert " ".join(pieces).split() == text.split()
    assert pieces[0].endswith(";")


def test_budget_split_of_unpunctuated_monster():
    text = " ".join(["слово"] * 1000)
    pieces = split_to_budget(text, words, budget=50)
    assert len(pieces) == 20 and " ".join(pieces) == text


def test_budget_split_of_a_single_giant_token():
    text = "а" * 1000
    pieces = split_to_budget(text, len, budget=64)
    assert "".join(pieces) == text and all(len(p) <= 64 for p in pieces)


def test_segment_and_reassemble_keep_paragraphs_aligned():
    paragraphs = ["Перше речення. Друге речення.", "Третє речення.", "Четверте; п'яте, шосте сьоме восьме."]
    pieces = segment("Заголовок", paragraphs, words, budget=3)
    assert pieces[0] == Piece(-1, 0, 0, "Заголовок")
    assert {p.paragraph for p in pieces} == {-1, 0, 1, 2}
    outputs = [f"<{p.text}>" for p in pieces]
    title, english = reassemble(pieces, outputs, len(paragraphs))
    assert title == "<Заголовок>"
    assert len(english) == 3
    assert english[0] == "<Перше речення.> <Друге речення.>"
    assert english[2].count("<") > 1  # the long sentence went in pieces, rejoined in order


@pytest.mark.parametrize("text,expected", [
    ("Купили яблука, груші і т. д. Потім пішли додому.", ["Купили яблука, груші і т. д.", "Потім пішли додому."]),
    ("Були книжки, зошити і т. п. Далі ми пішли.", ["Були книжки, зошити і т. п.", "Далі ми пішли."]),
    ("Олівці, фарби і т. ін. Наступного дня все зникло.",
     ["Олівці, фарби і т. ін.", "Наступного дня все зникло."]),
    ("Прийшов д. Іван.", ["Прийшов д. Іван."]),  # the rule that keeps "д." (дядько) joined stays
])
def test_a_list_end_may_end_the_sentence(text, expected):
    assert split_sentences(text) == expected
