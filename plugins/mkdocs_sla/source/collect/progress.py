"""A progress bar on stderr for long collections, drawn only when stderr is a terminal."""

from __future__ import annotations

import sys
import time


class Progress:
    """Steps done out of `total` for one query; silent unless the stream is a TTY (CI logs stay clean)."""

    WIDTH = 30

    def __init__(self, label: str, total: int, stream=None):
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = total > 0 and bool(getattr(self.stream, "isatty", lambda: False)())
        self.label, self.total, self.done = label, max(total, 1), 0
        self._drawn = 0.0

    def __call__(self, steps: int) -> None:
        self.done = min(self.total, self.done + steps)
        now = time.monotonic()
        if self.enabled and (now - self._drawn > 0.1 or self.done == self.total):
            self._drawn = now
            filled = self.WIDTH * self.done // self.total
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            self.stream.write(f"\r{self.label} [{bar}] {100 * self.done // self.total:3d}%")
            self.stream.flush()

    def close(self) -> None:
        """Ends the progress line, if one was drawn."""
        if self.enabled and self.done:
            self.stream.write("\n")
            self.stream.flush()
