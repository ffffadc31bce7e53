"""A terminal progress bar for long management commands (imports, exports, generation)."""

import sys
import time


class TerminalProgress:
    """``progress(done, total)`` redraws one line on stderr, at most ten times a second."""

    def __init__(self, label, stream=None, width=30):
        self.label, self.stream, self.width = label, stream or sys.stderr, width
        self._last = 0.0

    def __call__(self, done, total):
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        share = done / total if total else 1.0
        filled = int(share * self.width)
        bar = "█" * filled + "·" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done:,}/{total:,} {share:6.1%}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()
