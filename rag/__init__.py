"""Grounded: a knowledge assistant whose answers come only from your documents."""

import os

# Set before unstructured or Qdrant is imported anywhere: no notices, no telemetry.
os.environ.setdefault("UNSTRUCTURED_DISABLE_NOTICE", "1")
os.environ.setdefault("SCARF_NO_ANALYTICS", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

__version__ = "0.1.0"
