import pytest

from aacap.vocab import SPECIALS, Vocabulary, caption_words


def test_caption_words_lowercases_and_drops_punctuation() -> None:
    assert caption_words("A dog barks, loudly! Then—a car's horn.") == [
        "a", "dog", "barks", "loudly", "then", "a", "car's", "horn"]
    assert caption_words("well-known\tsound\n") == ["well", "known", "sound"]


def test_encode_decode_round_trip() -> None:
    vocab = Vocabulary.from_captions(["a dog barks", "a cat meows"])
    ids = vocab.encode("A dog meows!", task="clotho")
    assert ids[0] == vocab.index["<bos_clotho>"] and ids[-1] == vocab.eos_id
    assert vocab.decode(ids) == "a dog meows"
    assert vocab.decode(vocab.encode("a zebra")) == "a"  # unknown word -> <unk>, dropped


def test_build_orders_by_frequency_and_checks_specials() -> None:
    vocab = Vocabulary.from_captions(["b a", "a"])
    assert vocab.tokens[: len(SPECIALS)] == list(SPECIALS)
    assert vocab.tokens.index("a") < vocab.tokens.index("b")
    with pytest.raises(ValueError):
        Vocabulary(["a", "b"])
    with pytest.raises(ValueError, match="unknown task"):
        vocab.bos_for("nosuch")
