"""Collectors: measurements from the systems providers run (a Prometheus-compatible API, a status page export)."""
