"""Fits the routing classifier with scikit-learn and prints it as plain weights (``Model``).

Run by the routing service as a child process (``classifier.train_in_child``): examples as a
JSON list of ``[text, category]`` on stdin, the model as JSON on stdout. In-process use
(benchmarks, tests): ``fit(examples)``.
"""

from __future__ import annotations

import hashlib
import json
import sys

import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from services.routing.classifier import Model, normalise, terms_of


def fit_sklearn(texts: list[str], labels: list[str]) -> tuple[TfidfVectorizer, LogisticRegression]:
    """The scikit-learn pipeline on normalised texts."""
    # the analyser is ours (terms_of), so the service splits text exactly as training did
    vectorizer = TfidfVectorizer(analyzer=terms_of, sublinear_tf=True, min_df=1)
    model = LogisticRegression(max_iter=2000, C=10.0)
    model.fit(vectorizer.fit_transform(texts), labels)
    return vectorizer, model


def fit(examples: list[tuple[str, str]]) -> Model:
    texts = [normalise(t) for t, _ in examples]
    labels = [c for _, c in examples]
    digest = hashlib.sha256("\n".join(f"{c}\t{t}" for t, c in zip(texts, labels)).encode()).hexdigest()[:10]
    vectorizer, model = fit_sklearn(texts, labels)
    features = vectorizer.get_feature_names_out()
    idf = vectorizer.idf_
    coef = model.coef_.T                     # one row per term
    return Model(
        version=f"tfidf-logreg-{sklearn.__version__}-{digest}",
        classes=[str(c) for c in model.classes_],
        idf={str(t): float(idf[i]) for i, t in enumerate(features)},
        coef={str(t): [float(x) for x in coef[i]] for i, t in enumerate(features) if coef[i].any()},
        intercept=[float(x) for x in model.intercept_],
        size=len(examples),
    )


def main() -> None:
    examples = [(str(t), str(c)) for t, c in json.load(sys.stdin)]
    sys.stdout.write(fit(examples).to_json())


if __name__ == "__main__":
    main()
