"""The service's plain-Python model scores texts exactly as scikit-learn does, and training in a
child process gives the same model as training in-process."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from services.routing.classifier import Model, examples_for, load_labelled, normalise, train_in_child
from services.routing.train import fit, fit_sklearn
from shared.directory import load_file

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def examples() -> list[tuple[str, str]]:
    return examples_for(load_file(ROOT / "data" / "directory" / "demo.yaml"))


def test_probabilities_and_cosines_match_scikit_learn(examples: list[tuple[str, str]]) -> None:
    model = fit(examples)
    vectorizer, reference = fit_sklearn([normalise(t) for t, _ in examples], [c for _, c in examples])
    texts = [t for t, _, _ in load_labelled()][::7] + ["jln rusak parah, lubang besar 🚧", "", "zzz qqq"]
    expected = reference.predict_proba(vectorizer.transform([normalise(t) for t in texts]))
    assert model.classes == list(reference.classes_)
    for text, row in zip(texts, expected):
        got = model.probabilities(model.vector(text))
        assert all(math.isclose(a, b, abs_tol=1e-9) for a, b in zip(got, row)), text
        assert model.suggest(text).category == reference.classes_[row.argmax()]
    m = vectorizer.transform([normalise(texts[0]), normalise(texts[1])])
    assert math.isclose(model.similarity(texts[0], texts[1]), float((m[0] @ m[1].T).toarray()[0, 0]), abs_tol=1e-9)


def test_a_suggestion_names_the_terms_that_drove_it(examples: list[tuple[str, str]]) -> None:
    s = fit(examples).suggest("Air PDAM tidak mengalir sudah tiga hari, pipa bocor di jalan")
    assert s.category == "water" and s.confidence > 0.5
    assert s.terms and all(t in normalise("air pdam tidak alir sudah tiga hari pipa bocor jalan") for t in s.terms[:1])


async def test_training_in_a_child_process_gives_the_same_model(examples: list[tuple[str, str]]) -> None:
    child = await train_in_child(examples)
    here = fit(examples)
    assert child.version == here.version and child.classes == here.classes
    assert Model.from_json(here.to_json()) == here
    text = "KTP elektronik belum jadi sudah enam bulan"
    assert child.suggest(text) == here.suggest(text)
