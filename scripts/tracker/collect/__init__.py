"""Collectors: fetch review metadata and implementation evidence from public APIs
into ``data/raw/`` (with a provenance sidecar per response) and propose
candidates in ``data/inbox/``. They never write the curated tables; a person
accepts or rejects each candidate (see :mod:`tracker.collect.inbox`)."""
