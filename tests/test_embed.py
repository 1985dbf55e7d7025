import numpy as np

from rag.index.embed import MINILM_DIM, MiniLMEmbeddings, count_tokens


def test_minilm_embeds_offline_normalised_and_meaningful():
    model = MiniLMEmbeddings()
    vectors = model.embed_array(
        ["Our customers cut onboarding from 41 days to 12 days.", "Onboarding time dropped sharply.", "Paris is in France."]
    )
    assert vectors.shape == (3, MINILM_DIM)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    sims = vectors @ vectors.T
    assert sims[0, 1] > sims[0, 2] + 0.2


def test_batch_order_does_not_change_vectors():
    model = MiniLMEmbeddings(batch_size=2)
    texts = ["short", "a much longer sentence about quarterly revenue and growth", "medium length text"]
    together = model.embed_array(texts)
    alone = np.stack([model.embed_array([t])[0] for t in texts])
    assert np.allclose(together, alone, atol=1e-4)


def test_langchain_interface():
    model = MiniLMEmbeddings()
    assert len(model.embed_query("hello")) == MINILM_DIM
    assert len(model.embed_documents(["a", "b"])) == 2


def test_count_tokens_uses_word_pieces():
    assert count_tokens(["hello world", ""]) == [2, 0]
