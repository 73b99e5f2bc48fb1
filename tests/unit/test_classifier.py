"""The service's plain-Python models score texts exactly as scikit-learn does, training in a
child process gives the same models as training in-process (and its cache gives them back
without fitting), and the confidences are calibrated."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from services.routing.classifier import Example, Model, Models, examples_for, load_labelled, normalise, terms_of, \
    train_in_child
from services.routing.train import fit, fit_sklearn
from shared.directory import load_file

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def examples() -> list[Example]:
    return examples_for(load_file(ROOT / "data" / "directory" / "demo.yaml"))


@pytest.fixture(scope="module")
def models(examples: list[Example]) -> Models:
    return fit(examples)


def test_probabilities_and_cosines_match_scikit_learn(examples: list[Example], models: Models) -> None:
    model = models.category
    labelled = [e for e in examples if e.category]
    vectorizer, reference = fit_sklearn([normalise(e.text) for e in labelled], [e.category for e in labelled])
    texts = [r["text"] for r in load_labelled()][::41] + ["jln rusak parah, lubang besar 🚧", "", "zzz qqq"]
    expected = reference.decision_function(vectorizer.transform([normalise(t) for t in texts]))
    assert model.classes == list(reference.classes_)
    for text, row in zip(texts, expected):
        got = model.scores(model.vector(text))
        assert all(math.isclose(a, b, abs_tol=1e-9) for a, b in zip(got, row)), text
        probabilities = model.probabilities(model.vector(text))
        # the temperature divides the scores: a softmax of them, ranked as scikit-learn ranks
        tempered = [math.exp(s / model.temperature) for s in row]
        assert all(math.isclose(p, t / sum(tempered), abs_tol=1e-9) for p, t in zip(probabilities, tempered))
        assert model.suggest(text).category == reference.classes_[row.argmax()]
    m = vectorizer.transform([normalise(texts[0]), normalise(texts[1])])
    assert math.isclose(model.similarity(texts[0], texts[1]), float((m[0] @ m[1].T).toarray()[0, 0]), abs_tol=1e-9)


def test_character_grams_carry_a_typo() -> None:
    grams = set(terms_of(normalise("jembatan")))
    typo = set(terms_of(normalise("jembtan")))
    assert "jembatan" in grams and "~ jem" in grams and "~tan " in grams
    assert len(grams & typo) >= 4          # what survives the typo
    assert not any(t.startswith("~") for t in terms_of("")), "an empty text has no terms"


def test_a_suggestion_names_the_three_likeliest_and_the_terms_that_drove_it(models: Models) -> None:
    s = models.category.suggest("Air PDAM tidak mengalir sudah tiga hari, pipa bocor di jalan")
    assert s.category == "water" and s.confidence > 0.5
    assert [c for c, _ in s.top][0] == "water" and len(s.top) == 3
    assert s.top[0][1] >= s.top[1][1] >= s.top[2][1] and sum(p for _, p in s.top) <= 1.0 + 1e-9
    assert s.terms and not any(t.startswith("~") for t in s.terms)
    assert s.as_dict()["top"][0] == {"category": "water", "confidence": s.confidence}


def test_the_urgency_model_reads_danger_in_the_content(models: Models) -> None:
    assert models.urgency is not None and models.urgency.classes == ["routine", "urgent"]
    danger = models.urgency.suggest("BANJAR jembatan gantung putus ada warga hanyut")
    calm = models.urgency.suggest("KTP elektronik saya belum jadi sudah tiga bulan")
    assert danger.category == "urgent" and calm.category == "routine"
    assert danger.terms, "the terms that made it urgent"


def test_the_temperature_is_fitted_on_held_out_phrasings(models: Models) -> None:
    # labelled phrasings held out by fold: a confident model is told to be less sure, or more
    assert models.category.temperature != 1.0 and 0.05 < models.category.temperature < 20


async def test_training_in_a_child_process_gives_the_same_models(examples: list[Example], models: Models,
                                                                 tmp_path: Path) -> None:
    child = await train_in_child(examples, tmp_path)
    assert child.category.version == models.category.version and child.category.classes == models.category.classes
    assert Model.from_json(models.category.to_json()) == models.category
    text = "KTP elektronik belum jadi sudah enam bulan"
    assert child.category.suggest(text) == models.category.suggest(text)
    cached = list(tmp_path.glob("models-*.json"))
    assert len(cached) == 1
    # the second training of the same examples is the cached file: edit it and the edit comes back
    cached[0].write_text(cached[0].read_text().replace(child.category.version, "from-the-cache"))
    again = await train_in_child(examples, tmp_path)
    assert again.category.version == "from-the-cache"
    fresh = await train_in_child(examples[:-1], tmp_path)    # other examples: fitted anew
    assert fresh.category.version.startswith("tfidf-chars-logreg-")


def test_no_evaluation_complaint_is_trained_on(examples: list[Example]) -> None:
    import csv

    with (ROOT / "data" / "routing" / "evaluation.csv").open(newline="", encoding="utf-8") as f:
        evaluation = list(csv.DictReader(f))
    assert len(evaluation) >= 400
    trained = {normalise(e.text) for e in examples}
    assert not [r["text"] for r in evaluation if normalise(r["text"]) in trained]
    categories = set(load_file(ROOT / "data" / "directory" / "demo.yaml").categories)
    assert {r["category"] for r in evaluation} == categories, "every topic is measured"


def test_the_service_runs_with_the_thresholds_the_benchmark_chose() -> None:
    import json

    from services.routing.settings import RoutingSettings

    chosen = json.loads((ROOT / "bench" / "results" / "classifier.json").read_text())["chosen"]
    fields = RoutingSettings.model_fields
    assert fields["classifier_threshold"].default == chosen["classifier_threshold"]
    assert fields["urgency_threshold"].default == chosen["urgency_threshold"]
