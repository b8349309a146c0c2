"""core: the agreement format and the engine. Pure and exact: no I/O, no clock, no MkDocs, no English.

Records in (`records.Agreement`), numbers out (`evaluate.AgreementEvaluation`): attainment
(`measures`), tiers (`tiers`, `spans`), credits (`credits`), remedies and history (`evaluate`),
outages and maintenance windows (`outages`, `maintenance`, `evidence`), corrections.
"""
