"""evaluation/RESULTS.md: one section per suite, between `<!-- NAME:start -->` and `<!-- NAME:end -->` markers, so
that each suite rewrites its own section and keeps the others."""

from __future__ import annotations

import re
from pathlib import Path

from claimtriage.data.paths import PROJECT_ROOT

RESULTS = PROJECT_ROOT / "evaluation" / "RESULTS.md"
HEADER = "# Results\n\nEvery figure here is produced by a command in this repository.\n"


def update_section(name: str, markdown: str, path: Path | None = None) -> Path:
    """Replace the section NAME of RESULTS.md with `markdown` (without markers), or append it at the end."""
    path = path or RESULTS
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{markdown}\n{end}"
    text = path.read_text() if path.is_file() else HEADER
    if start in text and end in text:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: block, text, count=1, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)
    return path
