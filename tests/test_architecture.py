"""The code's shape, checked: no import circles, imports in functions only to delay heavy
libraries, small modules and functions, and a new model is one file and one entry."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import grimp

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "stockcaster"


def test_no_module_imports_itself_through_others():
    """No import circle anywhere, imports inside functions included (grimp sees them all)."""
    graph = grimp.build_graph("stockcaster")
    circles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:
                circles.append(" -> ".join([module, *back]))
    assert circles == []


def _functions(tree: ast.AST):
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def test_an_import_inside_a_function_only_delays_a_heavy_library():
    """An import inside a function says why it waits (a heavy library, never a circle)."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = path.read_text().splitlines()
        for function in _functions(ast.parse(path.read_text())):
            for node in ast.walk(function):
                if not isinstance(node, ast.Import | ast.ImportFrom):
                    continue
                said = any(
                    "elayed import" in line for line in lines[function.lineno - 1 : node.lineno]
                )
                if not said:
                    offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == []


def test_modules_and_functions_stay_small():
    """At most 300 lines a module and 60 lines a function, docstring and signature included
    (a command's too: its options come in groups, `cli/groups.py`)."""
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text()
        if len(text.splitlines()) > 300:
            long.append(f"{path.relative_to(PACKAGE)}: {len(text.splitlines())} lines")
        for function in _functions(ast.parse(text)):
            size = function.end_lineno - function.lineno + 1
            if size > 60:
                long.append(f"{path.relative_to(PACKAGE)}:{function.lineno} {function.name} {size}")
    assert long == []


def test_the_package_root_holds_only_entry_points_and_base_modules():
    modules = {p.name for p in PACKAGE.glob("*.py")}
    assert modules == {"__init__.py", "__main__.py", "columns.py", "errors.py", "settings.py",
                       "process.py", "provenance.py"}  # fmt: skip


TOY = textwrap.dedent(
    """
    import gc, json, sys
    from dataclasses import dataclass, field
    from pathlib import Path
    import numpy as np
    import pandas as pd
    from typer.testing import CliRunner
    from stockcaster.errors import StockcasterError
    from stockcaster.models.registry import ModelSpec, register
    from stockcaster.models.space import Param

    @dataclass(frozen=True)
    class ToySettings:
        k: int = field(default=3, metadata={"help": "closes averaged"})

        def __post_init__(self):
            if self.k < 1:
                raise StockcasterError(f"k: expected at least 1, received {self.k}")

    class Toy:
        name = "toy"

        def __init__(self, k):
            self.k, self.fitted = k, False

        def fit(self, history):
            self.fitted = True

        def predict(self, history, horizon):
            return np.repeat(history.iloc[-self.k:].mean(), horizon)

        def save(self, folder):
            (folder / "toy.json").write_text(json.dumps({"k": self.k}))
            return ["toy.json"]

        def load(self, folder):
            assert json.loads((folder / "toy.json").read_text())["k"] == self.k
            self.fitted = True

    register(ModelSpec("toy", "the mean of the last k closes",
                       lambda options: Toy(options.settings_of("toy", ToySettings).k),
                       settings=ToySettings, space={"k": Param("int", 1, 5)}))

    from stockcaster.cli import app  # the CLI is built after the entry, as a plugin's would be

    runner = CliRunner()
    data, out = sys.argv[1], Path(sys.argv[2])
    table = pd.read_csv(data)
    closes = table[table["symbol"] == "MSFT"].sort_values("date")["close"].reset_index(drop=True)
    one = ("--data", data, "--symbol", "MSFT")

    def ok(*args):
        done = runner.invoke(app, [str(a) for a in args])
        assert done.exit_code == 0, (args, done.output, repr(done.exception))
        return json.loads(done.stdout) if "--json" in args else done.output

    for command in ("run", "backtest", "train", "tune", "universe"):
        shown = runner.invoke(app, [command, "--help"], terminal_width=200).output
        assert "toy.k" in shown and "closes averaged" in shown, command
    ran = ok("run", "--model", "toy", "--set", "toy.k=4", *one, "--out", out / "r",
             "--json", "--quiet")
    days = pd.read_csv(Path(ran["folder"]) / "predictions.csv")
    last = len(closes) - 1  # the last day is forecast from the 4 closes before it
    assert np.isclose(days["yhat"].iloc[-1], closes.iloc[last - 4:last].mean())
    board = ok("backtest", "--models", "naive,toy", "--set", "toy.k=4", *one,
               "--out", out / "b", "--json", "--quiet")["leaderboard"]
    assert {row["model"] for row in board} == {"naive", "toy"}
    ok("train", "--model", "toy", "--set", "toy.k=4", *one, "--save", out / "toy")
    told = ok("predict", "--bundle", out / "toy", *one, "--horizon", "2",
              "--out", out / "p", "--json")
    assert np.allclose([d["yhat"] for d in told["forecast"]], closes.iloc[-4:].mean())
    found = ok("tune", "--model", "toy", "--trials", "3", "--folds", "2", *one,
               "--out", out / "t", "--json", "--quiet")
    assert set(found["best"]["params"]) == {"k"} and 1 <= found["best"]["params"]["k"] <= 5
    done = ok("universe", "--models", "naive,toy", "--set", "toy.k=2", "--data", data,
              "--out", out / "u", "--workers", "1", "--json", "--quiet", "--min-history", "30")
    assert {row["model"] for row in done["scores"]} == {"naive", "toy"}
    assert done["settings"]["config"]["settings"] == [["toy", {"k": 2}]]
    refused = runner.invoke(app, ["run", "--model", "toy", "--set", "toy.k=0", *one])
    assert refused.exit_code == 2 and "k: expected at least 1" in refused.output
    print("toy ran")
    gc.freeze()  # the process ends: its objects are left to the OS (bench/command_process.py)
    """
)


def test_a_model_with_a_setting_of_its_own_is_one_entry(kaggle_csv, tmp_path):
    """A toy model with one setting of its own (`k`), registered in a script and nowhere
    else, shows `k` in every command's --help and runs in run, backtest, train + predict
    (its bundle saved and loaded), tune (over its own space) and universe."""
    script = tmp_path / "toy.py"
    script.write_text(TOY)
    done = subprocess.run([sys.executable, str(script), str(kaggle_csv), str(tmp_path)],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0 and "toy ran" in done.stdout, done.stderr[-3000:]


def test_every_command_help_lists_its_choices_from_the_registries():
    from typer.testing import CliRunner

    from stockcaster.cli import app
    from stockcaster.data.validate import FILL_POLICIES
    from stockcaster.engines import ENGINES
    from stockcaster.evaluation.backtest import WINDOWS
    from stockcaster.features.feature_sets import FEATURE_SETS
    from stockcaster.jobs.universe_plan import MODES
    from stockcaster.models.presets import preset_names
    from stockcaster.models.registry import MODELS

    wanted = {
        "run": [*preset_names(), *FILL_POLICIES],
        "backtest": [*MODELS, *WINDOWS, *preset_names(), *FILL_POLICIES],
        "train": [*preset_names(), *FILL_POLICIES],
        "predict": [*FILL_POLICIES],
        "inspect": [*FILL_POLICIES],
        "universe": [*MODELS, *ENGINES, *FEATURE_SETS, *MODES, *FILL_POLICIES],
    }
    for command, names in wanted.items():
        shown = " ".join(CliRunner().invoke(app, [command, "--help"]).output.split())
        missing = [name for name in names if name not in shown]
        assert missing == [], (command, missing)


# Registered names that are other words too: the random seed and the post's preset (seed),
# a technical indicator (ma) and the benchmark every score is a ratio to (naive, C.NAIVE).
_OTHER_WORDS = {"seed", "ma", "naive"}


def test_no_module_outside_models_names_a_model():
    """Only models/ knows the models by name: everything else asks the registry, by
    capability (a string naming a model, or an import of the family lists, is refused)."""
    from stockcaster.models.registry import MODELS

    names = set(MODELS) - _OTHER_WORDS
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE)
        if where.parts[0] == "models":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in names:
                offenders.append(f"{where}:{node.lineno} {node.value!r}")
            if isinstance(node, ast.ImportFrom) and node.module == "stockcaster.models.families":
                offenders += [f"{where}:{node.lineno} {a.name}" for a in node.names
                              if a.name in ("NEURAL", "TABULAR")]  # fmt: skip
    assert offenders == []
