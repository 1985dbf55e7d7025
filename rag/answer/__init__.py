"""The answer stage: from a question to a checked answer with sources.

- ``retrieve``: which passages are pulled (dense, sparse, hybrid, MMR) and the relevance cut.
- ``models``: the answer models (OpenAI, a compatible server, the built-in model, none).
- ``chain``: the ask flow (resolve the question, retrieve, decide, write or quote, check).
- ``check``: the citation check; ``subjects``: the names a question is about, and refusals.
- ``guard``: sentences in documents that give orders to an AI are kept from the model.
"""
