"""The shared analyser: the same stems whichever thread asks, however many ask at once."""

from __future__ import annotations

import random
import sys
import threading

import snowballstemmer

from rag import words


def test_stems_are_right_when_many_threads_stem_new_words_at_once():
    rng = random.Random(1)
    suffixes = ("ing", "ation", "ness", "ments", "ly", "ies", "ized")
    vocabulary = ["".join(rng.choice("abcdefghiklmnoprstuvz") for _ in range(rng.randint(4, 14))) + rng.choice(suffixes)
                  for _ in range(20_000)]
    reference = snowballstemmer.stemmer("english")
    expected = {w: reference.stemWord(w) for w in vocabulary}
    words._stem.cache_clear()  # every word new to the cache: each reaches a stemmer
    problems: list = []

    def stem_all(share: list[str]) -> None:
        try:
            problems.extend(w for w in share if words._stem(w) != expected[w])
        except Exception as err:  # noqa: BLE001  (a shared stemmer fails with IndexError mid-word)
            problems.append(repr(err))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: a shared stemmer fails every time
    try:
        threads = [threading.Thread(target=stem_all, args=(vocabulary[i::8],)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
        words._stem.cache_clear()
    assert problems == []
