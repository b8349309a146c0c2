"""site: the pages, JSON and SVG of the published site, and their navigation; no MkDocs.

Phase 1 renders each agreement on its own (`agreement_page`, `history`); phase 2 the
listings from the summaries (`listings`). `render.render_site` does both for `sla render`.
"""
