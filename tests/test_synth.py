"""The synthetic corpus used by `make bench` is valid data of the requested size."""

from tracker.model import load
from tracker.paths import DATA_DIR
from tracker.synth import generate
from tracker.validate import validate


def test_synthetic_corpus_is_valid_and_contains_the_real_one(tmp_path):
    counts = generate(tmp_path / "data", reviews=4, per_review=25)
    assert validate(tmp_path / "data") == []
    corpus, real = load(tmp_path / "data"), load(DATA_DIR)
    assert len(corpus.recommendations) == len(real.recommendations) + 100 == counts["recommendations"]
    assert set(real.recommendations) <= set(corpus.recommendations)
    assert sum(len(h) for h in corpus.assessments_of.values()) > 100


def test_same_seed_same_corpus(tmp_path):
    generate(tmp_path / "a", reviews=2, per_review=10, seed=7)
    generate(tmp_path / "b", reviews=2, per_review=10, seed=7)
    for name in ("recommendations.csv", "assessments.csv", "links.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
