from rag.index.sparse import document_vector, query_vector, term_index
from rag.words import analyse


def test_analyser_lowercases_drops_stop_words_and_stems():
    assert analyse("The Running of the Marketing Campaigns") == ["run", "market", "campaign"]


def test_document_vector_saturates_term_frequency():
    once = document_vector("pricing")
    many = document_vector("pricing " * 50)
    assert once.indices == many.indices == [term_index("price")]
    assert many.values[0] > once.values[0]
    assert many.values[0] < 2.2  # k1 + 1 is the BM25 ceiling


def test_query_vector_has_one_unit_weight_per_distinct_term():
    v = query_vector("pricing prices for the enterprise plan")
    assert sorted(v.indices) == v.indices
    assert len(v.indices) == 3 and set(v.values) == {1.0}


def test_empty_text_gives_empty_vectors():
    assert query_vector("the and of").indices == []
    assert document_vector("").indices == []


def test_heading_words_are_a_field_of_their_own_weight():
    together = document_vector("Billing > Plans\nThe Team plan costs 24 dollars a seat.")
    fields = document_vector("The Team plan costs 24 dollars a seat.", heading="Billing > Plans")
    assert fields == together  # weight 1: the same as one text
    heavier = document_vector("The Team plan costs 24 dollars a seat.", heading="Billing > Plans", heading_weight=2.0)
    weight = dict(zip(heavier.indices, heavier.values))
    plain = dict(zip(fields.indices, fields.values))
    assert weight[term_index("bill")] > plain[term_index("bill")]
    assert weight[term_index("team")] < plain[term_index("team")]  # a longer document: body words count less
