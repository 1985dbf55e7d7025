"""The one door for pages and the command line: every operation they call, each taking the acting user and checking
access (assistants, chats, documents, sites, the queue, health, gaps, and asking.py, writing.py, quality.py for
what the stages below do). The top of the library: pages import only this, rag.present, rag.types and rag.errors
(tests/test_layers.py)."""
