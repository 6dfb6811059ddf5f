"""evaluation/RESULTS.md: one section per suite, between `<!-- NAME:start -->` and `<!-- NAME:end -->` markers, so
that each suite rewrites its own section and keeps the others."""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def benchmark_main(description: str, section: str, default_out: Path, run: Callable[[argparse.Namespace], dict],
                   markdown: Callable[[dict], str], argv: list[str] | None = None,
                   arguments: Callable[[argparse.ArgumentParser], None] | None = None) -> dict[str, Any]:
    """The command line of a `python -m claimtriage.evaluation.X` benchmark: run it (`run(args)`), write its JSON
    report to `--out` (default `default_out`) and, unless `--no-results`, its `section` of RESULTS.md. `arguments`
    adds the benchmark's own options."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=default_out)
    parser.add_argument("--no-results", action="store_true", help="do not rewrite evaluation/RESULTS.md")
    if arguments is not None:
        arguments(parser)
    args = parser.parse_args(argv)
    report = run(args)
    args.out.write_text(json.dumps(report, indent=2))
    if not args.no_results:
        update_section(section, markdown(report))
    return report
