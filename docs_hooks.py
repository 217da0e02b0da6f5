"""MkDocs hooks: the pages written from the code and the measurements, at every build.

- `docs/commands/<command>.md`: each command's `--help`, as the installed `stockcaster`
  prints it (so a page can never say an option the command does not have).
- `docs/benchmarks/<result>.md`: each file of `bench/results/`, as tables (so every figure
  on those pages is the file's).

Both folders are written before MkDocs collects the pages (and are not kept in git); the
hook adds them to the navigation.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).parent
RESULTS = ROOT / "bench" / "results"
MAX_ROWS = 60  # rows of one table on a benchmark page


def on_config(config):
    """Write the generated pages and add them to the navigation."""
    docs = Path(config["docs_dir"])
    commands = _write_commands(docs / "commands")
    benchmarks = _write_benchmarks(docs / "benchmarks")
    config["nav"].append({"Commands": [f"commands/{n}.md" for n in commands]})
    config["nav"].append({"Benchmark results": [f"benchmarks/{n}.md" for n in benchmarks]})
    return config


def _write_commands(folder: Path) -> list[str]:
    # Delayed imports: the CLI, only when the docs are built.
    import click
    import typer.main

    from stockcaster.cli import app

    folder.mkdir(parents=True, exist_ok=True)
    group = typer.main.get_command(app)
    names = sorted(group.commands)
    for name in names:
        command = group.commands[name]
        context = click.Context(command, info_name=f"stockcaster {name}", terminal_width=100,
                                max_content_width=100)  # fmt: skip
        summary = (command.help or "").strip().split("\n\n")[0].replace("\n", " ")
        text = (f"# stockcaster {name}\n\n{summary}\n\nThe command's own help, as "
                f"`stockcaster {name} --help` prints it:\n\n```text\n"
                f"{command.get_help(context)}\n```\n")  # fmt: skip
        (folder / f"{name}.md").write_text(text)
    return names


def _write_benchmarks(folder: Path) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for path in sorted(RESULTS.glob("*.json")):
        name = path.stem
        found = json.loads(path.read_text())
        body = "\n".join(_render(found, 2))
        text = (f"# {name}\n\nThe measurements in `bench/results/{path.name}`, as the `bench/` "
                "script that names this file wrote them (its docstring says how to rerun "
                f"it).\n\n{body}\n")  # fmt: skip
        (folder / f"{name}.md").write_text(text)
        names.append(name)
    return names


def _render(value, level: int) -> list[str]:
    """A JSON value as Markdown: records as a table, a flat object as a two-column table,
    a nested object as headed parts."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return _records(value)
    if isinstance(value, dict):
        flat = {k: v for k, v in value.items() if not isinstance(v, dict | list)}
        nested = {k: v for k, v in value.items() if isinstance(v, dict | list)}
        out = _records([{"key": k, "value": v} for k, v in flat.items()]) if flat else []
        for key, part in nested.items():
            out += ["", f"{'#' * min(level, 6)} {key}", "", *_render(part, level + 1)]
        return out
    return [f"`{_cell(value)}`"]


def _records(rows: list[dict]) -> list[str]:
    keys = list(dict.fromkeys(k for row in rows for k in row))
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    for row in rows[:MAX_ROWS]:
        lines.append("| " + " | ".join(_cell(row.get(k)) for k in keys) + " |")
    if len(rows) > MAX_ROWS:
        lines.append(f"\n({len(rows) - MAX_ROWS} more rows in the file)")
    return lines


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, dict | list):
        text = json.dumps(value)
        return (text[:80] + "...") if len(text) > 80 else text
    return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")
