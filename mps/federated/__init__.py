"""Federated consortium mode: boroughs that cannot share child-level data send aggregates.

- :mod:`mps.federated.aggregates`: the contract (the versioned aggregate tables) and their
  computation from one borough's episodes;
- :mod:`mps.federated.export`: ``mps export-aggregates``: the protected tables, a manifest
  with checksums, one zip file;
- :mod:`mps.federated.receive`: reading and verifying a received file;
- :mod:`mps.federated.consortium`: the consortium's tables from every member's aggregates.
"""
