"""``grounded bench multilingual``: retrieval per language and across languages, on XQuAD.

XQuAD (google-deepmind/xquad, CC BY-SA 4.0) is 240 SQuAD paragraphs and their
1,190 questions translated by professionals into 11 languages; paragraph ``i``
and question ``q`` are the same in every language. Each paragraph is a passage;
a question's one relevant passage is its own paragraph.

Per language L (L's questions over L's paragraphs), as a multilingual assistant
searches: keyword (BM25 with L's stemmer and stop words, the document's language
detected as ingest detects it), dense (multilingual-e5-small) and hybrid (both
fused in the index, as the product answers), beside two references: keyword search
with the English analyser (what every document got before languages were told
apart) and the English model (MiniLM) dense. Across languages: a question in one
language over the paragraphs of another (German over English and the reverse),
recall@10 for dense and hybrid.

``--english``: the English model against e5 on English sets (SciFact, a sample
of its corpus that holds every judged abstract; the built-in help center), each
document chunked as the product chunks it: nDCG@10 of dense and hybrid, time per
passage. A decision to switch the default would need e5 to win here.

The data is read where it lies (``--xquad DIR`` with ``xquad.LANG.json``), never
copied into the project; without it the benchmark says so and stops.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean

import numpy as np

from .common import Target, header, peak_rss_mb, progress, table, throwaway_store
from .metrics import ndcg_at_k, recall_at_k

DEFAULT_LANGUAGES = ("en", "de", "es")
DEFAULT_CROSS = (("de", "en"), ("en", "de"))  # (question language, passage language)
HYBRID_GAIN = 0.05  # hybrid nDCG@10 over that language's BM25 (the target)
CROSS_RECALL = 0.7  # cross-lingual recall@10 (the target)
K = 10


@dataclass
class MultilingualConfig:
    xquad: Path | None
    languages: tuple[str, ...] = DEFAULT_LANGUAGES
    cross: tuple[tuple[str, str], ...] = DEFAULT_CROSS
    limit: int | None = None  # questions per language (a quick look)
    minilm: bool = True  # the English model's dense figures as a reference
    scifact: Path | None = None  # a BEIR SciFact folder for the English comparison
    scifact_split: str = "test"
    scifact_docs: int = 800  # corpus sample (every judged abstract of the split, then random others)
    help_center: bool = False  # the built-in help center in the English comparison


@dataclass
class XquadLanguage:
    passages: list[str]  # paragraph i
    questions: list[tuple[str, str, int]] = field(default_factory=list)  # (id, text, paragraph i)


def load_xquad(folder: Path, language: str) -> XquadLanguage:
    path = Path(folder) / f"xquad.{language}.json"
    if not path.is_file():
        raise FileNotFoundError(
            f"No XQuAD file {path}. Get xquad.{language}.json from github.com/google-deepmind/xquad into one folder "
            "and pass it with --xquad."
        )
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    out = XquadLanguage([])
    for article in data:
        for paragraph in article["paragraphs"]:
            i = len(out.passages)
            out.passages.append(paragraph["context"])
            out.questions += [(qa["id"], qa["question"], i) for qa in paragraph["qas"]]
    return out


def _scores(ranked: list[int], relevant: int) -> tuple[float, float]:
    ids = [str(i) for i in ranked]
    qrels = {str(relevant): 1.0}
    return ndcg_at_k(ids, qrels, K), recall_at_k(ids, qrels, K)


def _index(store, workspace: str, passages: list[str], embeddings, language_of) -> tuple[float, list[str]]:
    """Store the passages with the product's sparse vectors; seconds spent embedding, the detected languages."""
    from ..index.sparse import document_vector
    from ..types import Chunk, ChunkSettings

    settings = ChunkSettings()
    chunks = [Chunk(chunk_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{workspace}/{i}")), doc_id=str(i), file=f"p{i}",
                    index=0, text=t, settings=settings)
              for i, t in enumerate(passages)]
    languages = [language_of(t) for t in passages]
    started = time.perf_counter()
    dense = embeddings.embed_array(passages)
    seconds = time.perf_counter() - started
    sparse = [document_vector(t, language=lang) for t, lang in zip(passages, languages)]
    store.index.upsert(workspace, chunks, dense, sparse, "bench")
    return seconds, languages


def _search(store, workspace: str, strategy: str, qvec, sparse) -> list[int]:
    hits = store.index.search(workspace, strategy, qvec.tolist(), sparse, k=K, candidates=50, exact=True)
    return [int(h.doc_id) for h in hits]


def run(config: MultilingualConfig) -> dict:
    result = header("multilingual") | {"k": K}
    if config.scifact is not None or config.help_center:
        from .retrieval import load_beir, load_help_center

        result["english"] = {}
        if config.help_center:
            result["english"]["help-center"] = english_comparison(load_help_center("all"), "help-center")
        if config.scifact is not None:
            split = load_beir(config.scifact, config.scifact_split)
            if config.limit:  # the first N claims (and so fewer judged abstracts to embed twice)
                split.queries = dict(list(split.queries.items())[: config.limit])
                split.qrels = {q: split.qrels[q] for q in split.queries}
            split = _english_split(split, config.scifact_docs)
            result["english"][f"scifact-{config.scifact_split}-sample"] = english_comparison(split, "scifact")
    if config.xquad is None:
        return result
    return result | _xquad(config)


def _xquad(config: MultilingualConfig) -> dict:
    from ..index.embed import E5_DIM, E5_ID, shared_e5
    from ..index.sparse import query_vector
    from ..words import ENGLISH, detect_language

    wanted = sorted(set(config.languages) | {lang for pair in config.cross for lang in pair})
    data = {lang: load_xquad(config.xquad, lang) for lang in wanted}
    if config.limit:
        for d in data.values():
            d.questions = d.questions[: config.limit]
    result = {"dataset": "XQuAD", "passages_per_language": len(data[wanted[0]].passages),
              "questions_per_language": len(data[wanted[0]].questions)}
    from .common import rss_mb

    lists: dict[str, dict[str, list]] = {}  # query id -> list name -> (chunk key, doc id, score)
    e5 = shared_e5()
    with throwaway_store() as store:
        minilm = store.embeddings
        multilingual: dict[str, str] = {}  # language -> the workspace of its passages embedded by e5
        store.index.model_of = lambda ws: (E5_ID, E5_DIM) if ws in multilingual.values() else (minilm.model_id, minilm.dimension)
        speed: dict[str, list[float]] = {"e5": [], "minilm": []}
        detected: dict[str, dict[str, int]] = {}
        tokens = {"e5": 0}
        for lang in wanted:
            ws = multilingual[lang] = f"e5-{lang}"
            seconds, found = _index(store, ws, data[lang].passages, e5, detect_language)
            speed["e5"].append(seconds / len(data[lang].passages))
            detected[lang] = {code: found.count(code) for code in sorted(set(found))}
            progress(f"{lang}: {len(data[lang].passages)} passages embedded by e5 in {seconds:.0f} s; detected {detected[lang]}")
            if config.minilm:
                seconds, _ = _index(store, f"minilm-{lang}", data[lang].passages, minilm, lambda _t: ENGLISH)
                speed["minilm"].append(seconds / len(data[lang].passages))
        tokens["e5"] = int(mean(e5.token_count(p) for p in data[wanted[0]].passages))

        # question vectors, once per language and model
        qvecs: dict[tuple[str, str], np.ndarray] = {}
        query_ms: dict[str, list[float]] = {"e5": [], "minilm": []}
        for lang in wanted:
            texts = [q for _, q, _ in data[lang].questions]
            started = time.perf_counter()
            qvecs[("e5", lang)] = e5.embed_queries(texts)
            query_ms["e5"].append((time.perf_counter() - started) * 1000 / max(len(texts), 1))
            if config.minilm:
                started = time.perf_counter()
                qvecs[("minilm", lang)] = np.asarray([minilm.embed_query(t) for t in texts], dtype=np.float32)
                query_ms["minilm"].append((time.perf_counter() - started) * 1000 / max(len(texts), 1))
            progress(f"{lang}: {len(texts)} questions embedded")

        per_language: dict[str, dict] = {}
        for lang in config.languages:
            ws = multilingual[lang]
            doc_languages = sorted(set(detected[lang]))
            runs: dict[str, list[tuple[float, float]]] = {s: [] for s in ("bm25", "bm25-english", "dense", "hybrid", "dense-minilm")}
            for n, (_, text, relevant) in enumerate(data[lang].questions):
                qvec = qvecs[("e5", lang)][n]
                sparse = query_vector(text, doc_languages)
                runs["hybrid"].append(_scores(_search(store, ws, "hybrid", qvec, sparse), relevant))
                runs["dense"].append(_scores(_search(store, ws, "dense", qvec, sparse), relevant))
                runs["bm25"].append(_scores(_search(store, ws, "sparse", qvec, sparse), relevant))
                if config.minilm:
                    mvec = qvecs[("minilm", lang)][n]
                    english = query_vector(text)
                    runs["bm25-english"].append(_scores(_search(store, f"minilm-{lang}", "sparse", mvec, english), relevant))
                    runs["dense-minilm"].append(_scores(_search(store, f"minilm-{lang}", "dense", mvec, english), relevant))
            per_language[lang] = {
                strategy: {"ndcg@10": round(mean(s[0] for s in scores), 4), "recall@10": round(mean(s[1] for s in scores), 4)}
                for strategy, scores in runs.items() if scores
            } | {"document_languages": detected[lang]}
            progress(f"{lang}: " + ", ".join(f"{s} {v['ndcg@10']:.3f}" for s, v in per_language[lang].items() if isinstance(v, dict) and "ndcg@10" in v))

        cross: dict[str, dict] = {}
        for asked, held in config.cross:
            ws = multilingual[held]
            doc_languages = sorted(set(detected[held]))
            runs = {"dense": [], "hybrid": []}
            for n, (_, text, relevant) in enumerate(data[asked].questions):
                qvec = qvecs[("e5", asked)][n]
                sparse = query_vector(text, doc_languages)
                runs["dense"].append(_scores(_search(store, ws, "dense", qvec, sparse), relevant))
                runs["hybrid"].append(_scores(_search(store, ws, "hybrid", qvec, sparse), relevant))
            cross[f"{asked}->{held}"] = {
                s: {"ndcg@10": round(mean(x[0] for x in v), 4), "recall@10": round(mean(x[1] for x in v), 4)} for s, v in runs.items()
            }
            progress(f"{asked} questions over {held} passages: " + ", ".join(f"{s} recall@10 {v['recall@10']:.3f}" for s, v in cross[f'{asked}->{held}'].items()))

    result["languages"] = per_language
    result["cross_lingual"] = cross
    result["speed"] = {
        "e5_s_per_passage": round(mean(speed["e5"]), 4),
        "minilm_s_per_passage": round(mean(speed["minilm"]), 4) if speed["minilm"] else None,
        "e5_ms_per_question": round(mean(query_ms["e5"]), 1),
        "minilm_ms_per_question": round(mean(query_ms["minilm"]), 1) if query_ms["minilm"] else None,
        "e5_tokens_per_passage": tokens["e5"],
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    targets = [Target(f"hybrid - BM25 nDCG@10 ({lang})", round(v["hybrid"]["ndcg@10"] - v["bm25"]["ndcg@10"], 4), HYBRID_GAIN)
               for lang, v in per_language.items()]
    targets += [Target(f"cross-lingual hybrid recall@10 ({pair})", v["hybrid"]["recall@10"], CROSS_RECALL) for pair, v in cross.items()]
    result["targets"] = [t.as_dict() for t in targets]
    return result


def _english_split(split, docs: int):
    """``split`` with its corpus cut to ``docs`` documents: every judged one, then others drawn at random (seed 0)."""
    import random

    judged = {d for rel in split.qrels.values() for d in rel}
    kept = [d for d in split.corpus if d.doc_id in judged]
    others = [d for d in split.corpus if d.doc_id not in judged]
    random.Random(0).shuffle(others)
    split.corpus = kept + others[: max(0, docs - len(kept))]
    return split


def _three_way(lists: list[list[tuple[str, float]]]) -> list[tuple[str, float]]:
    """BM25, MiniLM and e5 lists fused as the product fuses two (DBSF, equal weights): (doc id, score), best first."""
    from .fusion import _dbsf

    fused: dict[str, float] = {}
    for ranked in lists:
        if ranked:
            for (key, _), value in zip(ranked, _dbsf([s for _, s in ranked])):
                fused[key] = fused.get(key, 0.0) + value / len(lists)
    return sorted(fused.items(), key=lambda kv: kv[1], reverse=True)


def english_comparison(split, label: str) -> dict:
    """MiniLM against e5 on an English split: dense and hybrid nDCG@10 / recall@10, seconds per passage, memory;
    and the three lists fused together (``three-way``: BM25 + MiniLM + e5, each 50 deep, DBSF at equal weights)."""
    from ..index.embed import E5_DIM, E5_ID, shared_e5
    from ..index.sparse import document_vector, query_vector
    from ..ingest.chunk import chunk_document, embedding_text, heading_text
    from ..types import ChunkSettings
    from .metrics import fold_to_documents
    from .retrieval import as_parsed

    chunking = ChunkSettings()
    chunks = [c for d in split.corpus for c in chunk_document(as_parsed(d), chunking, d.doc_id, "bench")]
    texts = [embedding_text(c, None) for c in chunks]
    sparse = [document_vector(c.text, heading_text(c, None)) for c in chunks]
    out: dict = {"documents": len(split.corpus), "passages": len(chunks), "queries": len(split.queries)}
    from .common import rss_mb

    lists: dict[str, dict[str, list]] = {}  # query id -> list name -> (chunk key, doc id, score)
    e5 = shared_e5()
    with throwaway_store() as store:
        minilm = store.embeddings
        models = {"minilm": (minilm, "bench-minilm"), "e5": (e5, "bench-e5")}
        store.index.model_of = lambda ws: (E5_ID, E5_DIM) if ws == "bench-e5" else (minilm.model_id, minilm.dimension)
        for name, (model, ws) in models.items():
            started = time.perf_counter()
            dense = model.embed_array(texts)
            seconds = time.perf_counter() - started
            store.index.upsert(ws, chunks, dense, sparse, "bench")
            figures: dict = {"s_per_passage": round(seconds / max(len(texts), 1), 4), "rss_after_mb": round(rss_mb(), 1)}
            runs: dict[str, list[tuple[float, float]]] = {"dense": [], "hybrid": [], "bm25": []}
            for qid, text in split.queries.items():
                qvec = np.asarray(model.embed_query(text), dtype=np.float32)
                terms = query_vector(text)
                for strategy in runs:
                    engine = "sparse" if strategy == "bm25" else strategy
                    hits = store.index.search(ws, engine, qvec.tolist(), terms, k=100, candidates=100, exact=True)
                    if strategy != "hybrid":
                        lists.setdefault(qid, {})[f"{name}-{strategy}"] = [(h.chunk_id, h.doc_id, h.score) for h in hits[:50]]
                    ranked = [d for d, _ in fold_to_documents([(h.doc_id, h.score) for h in hits])]
                    qrels = split.qrels[qid]
                    runs[strategy].append((ndcg_at_k(ranked, qrels, K), recall_at_k(ranked, qrels, K)))
            for strategy, scores in runs.items():
                figures[strategy] = {"ndcg@10": round(mean(x[0] for x in scores), 4), "recall@10": round(mean(x[1] for x in scores), 4)}
            out[name] = figures
            progress(f"{label} {name}: " + ", ".join(f"{s} {figures[s]['ndcg@10']:.3f}" for s in runs) +
                     f"; {figures['s_per_passage'] * 1000:.0f} ms/passage")
    scores = []
    for qid, by_name in lists.items():
        three = [by_name.get(n, []) for n in ("minilm-bm25", "minilm-dense", "e5-dense")]
        docs = {c: d for ranked in three for c, d, _ in ranked}
        fused = _three_way([[(c, s) for c, _, s in ranked] for ranked in three])
        ranked = [d for d, _ in fold_to_documents([(docs[c], s) for c, s in fused])]
        scores.append((ndcg_at_k(ranked, split.qrels[qid], K), recall_at_k(ranked, split.qrels[qid], K)))
    out["three-way"] = {"ndcg@10": round(mean(x[0] for x in scores), 4), "recall@10": round(mean(x[1] for x in scores), 4)}
    progress(f"{label} three-way (BM25 + MiniLM + e5): {out['three-way']['ndcg@10']:.3f}")
    return out


def render(result: dict) -> str:
    lines = []
    for name, figures in result.get("english", {}).items():
        rows = [[model, s, figures[model][s]["ndcg@10"], figures[model][s]["recall@10"], figures[model]["s_per_passage"] * 1000,
                 figures[model].get("rss_after_mb", "")]
                for model in ("minilm", "e5") for s in ("bm25", "dense", "hybrid")]
        if "three-way" in figures:
            rows.append(["both", "three-way", figures["three-way"]["ndcg@10"], figures["three-way"]["recall@10"], "", ""])
        lines += [f"{name}: {figures['documents']} documents, {figures['passages']} passages, {figures['queries']} queries",
                  table(["model", "strategy", "nDCG@10", "recall@10", "ms/passage", "RSS after MB"], rows), ""]
    if "languages" not in result:
        return "\n".join(lines)
    rows = []
    for lang, figures in result["languages"].items():
        for strategy, v in figures.items():
            if isinstance(v, dict) and "ndcg@10" in v:
                rows.append([lang, strategy, v["ndcg@10"], v["recall@10"]])
    lines += [f"XQuAD: {result['passages_per_language']} passages and {result['questions_per_language']} questions per language",
             table(["language", "strategy", "nDCG@10", "recall@10"], rows), ""]
    rows = [[pair, s, v["ndcg@10"], v["recall@10"]] for pair, figures in result["cross_lingual"].items() for s, v in figures.items()]
    lines += [table(["question->passages", "strategy", "nDCG@10", "recall@10"], rows), ""]
    sp = result["speed"]
    lines.append(f"embedding: e5 {sp['e5_s_per_passage'] * 1000:.0f} ms/passage ({sp['e5_tokens_per_passage']} tokens), "
                 f"MiniLM {sp['minilm_s_per_passage'] * 1000 if sp['minilm_s_per_passage'] else float('nan'):.0f} ms/passage; "
                 f"questions e5 {sp['e5_ms_per_question']} ms, MiniLM {sp['minilm_ms_per_question']} ms; peak RSS {sp['peak_rss_mb']} MB")
    from .common import target_lines

    lines += target_lines(result["targets"])
    return "\n".join(lines)
