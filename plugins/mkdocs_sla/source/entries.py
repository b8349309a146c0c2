"""What an agreement folder may hold, and a word about anything else that looks like input.

The loader reads the entries it knows by name. Without this check, a folder named `Results`,
a `review.yaml` or a `tickets-2025/` would be passed over without a word, and their periods,
reviews or tickets missing from the site: each entry that looks like input (a folder, a YAML,
CSV or lock file, a link) and is not one of these is a warning, with the closest known name.
A warning fails `mkdocs build --strict`. Hidden entries (`.gitkeep`) and documents for people
(`README.md`) are left alone.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from pathlib import Path

from mkdocs_sla.core.collection import COLLECT_FILE, STATUSPAGE_EXPORT, Collection
from mkdocs_sla.core.corrections import CORRECTIONS_FILE
from mkdocs_sla.core.diagnostics import Diagnostics, Position
from mkdocs_sla.source.lock import AGREEMENT_FILE, LOCK_FILE
from mkdocs_sla.source.outagelog import LOG_DIR, LOG_FILE, MAINTENANCE_FILE
from mkdocs_sla.source.reviewlog import REVIEWS_FILE
from mkdocs_sla.source.tickets import TICKETS_DIR
from mkdocs_sla.source.yamlsource import display_path

RESULTS_DIR = "results"

#: The files and the folders (with a slash) an agreement folder may hold.
KNOWN = (
    AGREEMENT_FILE,
    f"{RESULTS_DIR}/",
    LOCK_FILE,
    REVIEWS_FILE,
    LOG_FILE,
    f"{LOG_DIR}/",
    MAINTENANCE_FILE,
    f"{TICKETS_DIR}/",
    CORRECTIONS_FILE,
    COLLECT_FILE,
    f"{STATUSPAGE_EXPORT}/",
)
_NAMES = frozenset(name.rstrip("/") for name in KNOWN)
_INPUT_SUFFIXES = (".yaml", ".yml", ".csv", ".lock", ".json")


def check_entries(folder: Path, names: Iterable[str], diagnostics: Diagnostics, collection: Collection | None = None) -> None:
    """A warning for each entry of `folder` that looks like input but is not read; `collection`
    (its collect.yaml) may name another folder for a status page's export."""
    export = collection.statuspage.export.split("/")[0] if collection is not None and collection.statuspage else None
    for name in sorted(names):
        if name in _NAMES or name == export or name.startswith("."):
            continue
        path = folder / name
        linked = os.path.islink(path)
        if not (linked or path.is_dir() or name.lower().endswith(_INPUT_SUFFIXES)):
            continue
        close = difflib.get_close_matches(name.lower(), [n.lower() for n in _NAMES], n=1, cutoff=0.6)
        hint = f" (did you mean `{next(n for n in KNOWN if n.rstrip('/').lower() == close[0])}`?)" if close else ""
        what = "link" if linked else "folder" if path.is_dir() else "file"
        diagnostics.warning(
            Position(display_path(path)),
            f"the {what} `{name}` in the agreement folder is not read{hint}; expected only: {', '.join(KNOWN)}",
        )
