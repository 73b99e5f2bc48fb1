from shared.tracking import ALPHABET, new_tracking_id, normalize_tracking_id


def test_alphabet_has_no_ambiguous_characters() -> None:
    assert not set("01OI") & set(ALPHABET)
    assert len(ALPHABET) == 32


def test_new_ids_are_valid_short_and_distinct() -> None:
    ids = {new_tracking_id() for _ in range(2000)}
    assert len(ids) == 2000
    for tid in list(ids)[:200]:
        assert len(tid) == 10 and tid[4] == "-"
        assert normalize_tracking_id(tid) == tid


def test_typed_variants_are_accepted() -> None:
    tid = new_tracking_id()
    assert normalize_tracking_id(tid.lower()) == tid
    assert normalize_tracking_id(tid.replace("-", " ")) == tid
    assert normalize_tracking_id(" " + tid.replace("-", "") + " ") == tid


def test_every_single_character_typo_is_refused() -> None:
    tid = new_tracking_id().replace("-", "")
    for i in range(len(tid)):
        for ch in ALPHABET:
            if ch != tid[i]:
                assert normalize_tracking_id(tid[:i] + ch + tid[i + 1:]) is None


def test_garbage_is_refused() -> None:
    for value in ("", "ABC", "0000-00000", "ÄÄÄÄ-ÄÄÄÄÄ", "' OR 1=1 --", "AAAA-AAAAAA"):
        assert normalize_tracking_id(value) is None
