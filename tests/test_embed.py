import json
import threading

import numpy as np
import pytest

from rag.cli import main
from rag.index.embed import MINILM_DIM, MINILM_MAX_TOKENS, MiniLMEmbeddings, _minilm_paths, count_tokens, token_batches

VARIED = [
    "",
    "Q3",
    "Our customers cut onboarding from 41 days to 12 days.",
    "Net sales by segment | Three months ended July 1, 2023 | $ 81,797 | $ 82,959 | (1)%",
    "Ünïcödé, emoji 🚀 and CJK 日本語 in one line.",
    "A paragraph that goes on. " * 120,  # far past 256 word pieces: truncated
    "Revenue grew in the Americas and Europe while Greater China declined; services reached an all-time high.",
    "   ",
]


def reference_vectors(texts: list[str]) -> np.ndarray:
    """The plain way to run the model: default session, one text per run, no padding at all."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    model_path, tokenizer_path = _minilm_paths()
    session = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(str(tokenizer_path))
    tokenizer.enable_truncation(MINILM_MAX_TOKENS)
    tokenizer.no_padding()  # the file pads every text to 128 unless told otherwise
    out = []
    for text in texts:
        ids = np.array([tokenizer.encode(text or " ").ids], dtype=np.int64)
        hidden = session.run(
            None, {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
        )[0]
        pooled = hidden[0].mean(axis=0)
        out.append(pooled / np.linalg.norm(pooled))
    return np.stack(out)


@pytest.fixture(scope="module")
def reference():
    return reference_vectors(VARIED)


def test_minilm_embeds_offline_normalised_and_meaningful():
    model = MiniLMEmbeddings()
    vectors = model.embed_array(
        ["Our customers cut onboarding from 41 days to 12 days.", "Onboarding time dropped sharply.", "Paris is in France."]
    )
    assert vectors.shape == (3, MINILM_DIM)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    sims = vectors @ vectors.T
    assert sims[0, 1] > sims[0, 2] + 0.2


@pytest.mark.parametrize("batch_tokens, threads", [(512, 2), (64, 2), (64, 1), (10_000, 1)])
def test_vectors_match_the_plain_model_whatever_the_batching(reference, batch_tokens, threads):
    # batched, padded, reordered and run in parallel, every text still gets its own vector
    vectors = MiniLMEmbeddings(batch_tokens=batch_tokens, threads=threads).embed_array(VARIED)
    cosines = (vectors * reference).sum(axis=1)
    assert cosines.min() >= 0.9999


def test_concurrent_callers_get_their_own_vectors(reference):
    model = MiniLMEmbeddings(batch_tokens=64, threads=2)
    results: dict[int, np.ndarray] = {}

    def embed(n: int) -> None:
        texts = VARIED[n:] + VARIED[:n]  # each caller a different order
        results[n] = np.roll(model.embed_array(texts), n, axis=0)

    callers = [threading.Thread(target=embed, args=(n,)) for n in range(4)]
    for t in callers:
        t.start()
    for t in callers:
        t.join()
    for vectors in results.values():
        assert (vectors * reference).sum(axis=1).min() >= 0.9999


def test_token_batches_group_by_length_within_the_budget():
    lengths = [5, 300, 40, 41, 5, 120, 39, 6]
    batches = token_batches(lengths, budget=128)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for batch in batches:
        padded = len(batch) * max(lengths[i] for i in batch)
        assert padded <= 128 or len(batch) == 1  # a text longer than the budget goes alone
    assert batches[0] == [1]  # the longest first
    assert [4, 0, 7] in batches or [0, 4, 7] in batches  # the three short ones share one run
    assert token_batches([], 512) == []


def test_langchain_interface():
    model = MiniLMEmbeddings()
    assert len(model.embed_query("hello")) == MINILM_DIM
    assert len(model.embed_documents(["a", "b"])) == 2
    assert model.embed_array([]).shape == (0, MINILM_DIM)


def test_count_tokens_uses_word_pieces():
    assert count_tokens(["hello world", ""]) == [2, 0]


def test_bench_embed_compares_old_and_new_on_a_folder(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.md").write_text("# Revenue\n\nNet sales rose 8% to $81.8 billion.\n\n" + "Services grew. " * 200)
    (folder / "b.txt").write_text("Short note about the quarter.")
    out = tmp_path / "embed.json"
    assert main(["bench", "embed", str(folder), "--rounds", "2", "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["benchmark"] == "embed" and result["files"] == 2 and result["texts"] >= 3
    assert result["old"]["texts_per_s"] > 0 and result["new"]["texts_per_s"] > 0
    assert result["speedup"] == pytest.approx(result["new"]["texts_per_s"] / result["old"]["texts_per_s"], rel=0.01)
    assert result["cosine_min"] >= 0.9999
    assert [t["name"] for t in result["targets"]] == ["texts/s new / old", "largest 1 - cosine to the old vectors"]
