"""Fits the routing models with scikit-learn and prints them as plain weights (``Models``).

Run by the routing service as a child process (``classifier.train_in_child``): examples as a
JSON list of ``[text, category, urgent, group]`` on stdin, the models as JSON on stdout; an
optional argument names a cache directory. In-process use (benchmarks, tests): ``fit(examples)``.

Each model is a logistic regression on the TF-IDF of ``classifier.terms_of``. Its temperature
is fitted on out-of-fold scores, folds split by phrasing (``group``), so confidences are those
of text the model has not seen in that wording.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from scipy.optimize import minimize, minimize_scalar
from scipy.special import log_softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from services.routing.classifier import Example, Model, Models, deed_terms, normalise, terms_of, word_terms

C = 10.0
FOLDS = 3


# "words": the previous model's features, which bench/classifier.py compares against
ANALYSERS = {"words+chars": terms_of, "deeds": deed_terms, "words": word_terms}


def fit_sklearn(texts: list[str], labels: list[Any], features: str = "words+chars") -> tuple[TfidfVectorizer, LogisticRegression]:
    """The scikit-learn pipeline on normalised texts."""
    # the analyser is ours (classifier.terms_of), so the service splits text exactly as training did
    vectorizer = TfidfVectorizer(analyzer=ANALYSERS[features], sublinear_tf=True, min_df=1, dtype=np.float64)
    # saga: as accurate here as lbfgs (bench/classifier.py) and about three times quicker on
    # this many sparse features; seeded, so the same examples give the same weights
    model = LogisticRegression(max_iter=3000, C=C, solver="saga", tol=1e-3, random_state=0)
    model.fit(vectorizer.fit_transform(texts), labels)
    return vectorizer, model


def _log_likelihood(scores: np.ndarray, truth: np.ndarray, t: float, offset: float = 0.0) -> float:
    if scores.ndim == 1:        # binary: the logistic of the one decision function
        z = scores / t + offset
        return float(np.sum(-np.logaddexp(0, -z) * truth - np.logaddexp(0, z) * (1 - truth)))
    return float(log_softmax(scores / t, axis=1)[np.arange(len(truth)), truth].sum())


def calibration(texts: list[str], labels: list[Any], groups: list[str], features: str) -> tuple[float, float]:
    """The temperature (and, for a binary model, the offset: Platt scaling) that make
    out-of-fold probabilities likeliest; (1, 0) when there is too little to hold out."""
    distinct = sorted(set(groups))
    if len(distinct) < FOLDS or len(set(labels)) < 2:
        return 1.0, 0.0
    classes = sorted(set(labels), key=str)
    index = {c: i for i, c in enumerate(classes)}
    scores, truth = [], []
    for train, test in GroupKFold(n_splits=FOLDS).split(texts, labels, groups):
        if len({labels[i] for i in train}) < len(classes):
            continue        # a fold missing a class cannot score it
        vectorizer, model = fit_sklearn([texts[i] for i in train], [labels[i] for i in train], features)
        scores.append(model.decision_function(vectorizer.transform([texts[i] for i in test])))
        truth.extend(index[labels[i]] for i in test)
    if not scores:
        return 1.0, 0.0
    s, y = np.concatenate(scores), np.array(truth)
    if s.ndim == 1:
        found = minimize(lambda v: -_log_likelihood(s, y, math.exp(v[0]), v[1]), x0=[0.0, 0.0], method="Nelder-Mead")
        return round(math.exp(found.x[0]), 4), round(float(found.x[1]), 4)
    one = minimize_scalar(lambda log_t: -_log_likelihood(s, y, math.exp(log_t)), bounds=(-3, 3), method="bounded")
    return round(math.exp(one.x), 4), 0.0


def fit_one(texts: list[str], labels: list[Any], groups: list[str], name: str, features: str = "words+chars") -> Model:
    digest = hashlib.sha256("\n".join(f"{c}\t{g}\t{t}" for t, c, g in zip(texts, labels, groups)).encode()).hexdigest()[:10]
    vectorizer, model = fit_sklearn(texts, labels, features)
    names = vectorizer.get_feature_names_out()
    idf = vectorizer.idf_
    coef = model.coef_.T                     # one row per term
    t, offset = calibration(texts, labels, groups, features)
    return Model(
        version=f"{name}-{sklearn.__version__}-{digest}",
        classes=[str(c) for c in model.classes_],
        idf={str(term): float(idf[i]) for i, term in enumerate(names)},
        coef={str(term): [float(x) for x in coef[i]] for i, term in enumerate(names) if coef[i].any()},
        intercept=[float(x) for x in model.intercept_],
        size=len(texts),
        temperature=t, offset=offset, features=features,
    )


def fit(examples: list[Example]) -> Models:
    normalised = [normalise(e.text) for e in examples]
    # an example without a phrasing of its own (a directory keyword, a coordinator's decision) is its own group
    groups = [e.group or f"single-{i}" for i, e in enumerate(examples)]
    cat = [i for i, e in enumerate(examples) if e.category]
    category = fit_one([normalised[i] for i in cat], [examples[i].category for i in cat], [groups[i] for i in cat],
                       "tfidf-chars-logreg")
    urg = [i for i, e in enumerate(examples) if e.urgent is not None]
    urgency = None
    if len({examples[i].urgent for i in urg}) == 2:
        # words only, the loud ones left out: danger is said in words of what happened ("hanyut",
        # "ditolak"); character grams, which carry a topic through typos, would tie urgency to
        # topics instead (bench/classifier.py compares)
        urgency = fit_one([normalised[i] for i in urg], ["urgent" if examples[i].urgent else "routine" for i in urg],
                          [groups[i] for i in urg], "urgency-logreg", features="deeds")
    return Models(category, urgency)


def main() -> None:
    raw = sys.stdin.buffer.read()
    cache = Path(sys.argv[1]) / f"models-{sklearn.__version__}-{hashlib.sha256(raw).hexdigest()[:16]}.json" \
        if len(sys.argv) > 1 else None
    if cache is not None and cache.exists():
        sys.stdout.write(cache.read_text(encoding="utf-8"))
        return
    examples = [Example(str(t), c, u, g or "") for t, c, u, g in json.loads(raw)]
    out = fit(examples).to_json()
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(out, encoding="utf-8")
        partial.replace(cache)           # whole or absent: two replicas may write at once
    sys.stdout.write(out)


if __name__ == "__main__":
    main()
