"""Who may do what: users and their roles (:mod:`.users`), the assistant records and the reader and manager checks
(:mod:`.assistants`), and the same checks for one document (:mod:`.documents`).

A low stage on purpose: answering, writing and quality checks (rag/answer, rag/marketing, rag/quality) check the
acting user themselves, so the checks sit below them; rag/workspace/, the door pages and the command line use,
sits above everything and changes assistants (tests/test_layers.py holds the order).
"""
