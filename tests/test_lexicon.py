"""The word bridge reads the installed dictionary and WordNet: Russian words reach English drawable nouns."""
from pipeline.lexicon import english_words, hypernyms, is_concrete, noun_category, russian_hypernyms


def test_russian_nouns_translate_to_english_most_common_first():
    assert english_words("кот")[0] == "cat"
    assert english_words("поезд")[0] == "train"
    assert "locomotive" in english_words("паровоз")
    assert "violin" in english_words("скрипка")
    assert english_words("самовар") == ("samovar",)  # a loanword the dictionary lacks, found by transliteration


def test_categories_tell_things_from_abstractions():
    assert noun_category("cat") == "noun.animal"
    assert noun_category("locomotives") == "noun.artifact"  # plural read as singular
    assert is_concrete("lighthouse") and not is_concrete("kindness")


def test_hypernyms_climb_to_something_drawable():
    assert "urn" in hypernyms("samovar", 1)
    assert "musical instrument" in hypernyms("violin", 3)
    assert "выпечка" in russian_hypernyms("колобок") or "хлеб" in russian_hypernyms("колобок")


def test_unknown_words_answer_empty():
    assert english_words("шмурдяк") == ()
    assert noun_category("zzzqx") is None and hypernyms("zzzqx") == ()
    assert russian_hypernyms("") == ()
