"""Search spaces: each family's defaults, and a TOML file's overrides, checked line by line."""

from __future__ import annotations

import pytest

from stockcaster.errors import StockcasterError
from stockcaster.models.families import NEURAL, TABULAR
from stockcaster.tuning.space import Param, default_space, read_space


def test_every_family_with_hyper_parameters_has_a_usable_default_space():
    for family in [*NEURAL, *TABULAR]:
        space = default_space(family)
        assert space, family
        for name, param in space.items():
            param.check(f"{family} {name}")  # raises if a range is empty or inverted
    assert set(default_space("lstm")) >= {"lookback", "units", "layers", "dropout",
                                          "learning_rate", "batch_size", "epochs"}  # fmt: skip
    assert set(default_space("lightgbm")) == {"num_leaves", "max_depth", "learning_rate",
                                              "feature_fraction", "rounds"}  # fmt: skip
    assert set(default_space("linear")) == {"alpha"}
    with pytest.raises(StockcasterError, match="expected a model with hyper-parameters"):
        default_space("naive")


def test_a_space_file_overrides_ranges_scales_and_choices(tmp_path):
    path = tmp_path / "space.toml"
    path.write_text(
        "[lookback]\nlow = 20\nhigh = 60\n\n[learning_rate]\nlow = 1e-4\nhigh = 1e-3\n"
        "log = false\n\n[batch_size]\nchoices = [16, 32]\n\n[units]\nchoices = [8, 64]\n"
    )
    space = read_space(path, "lstm")
    assert space["lookback"] == Param("int", 20, 60)
    assert space["learning_rate"] == Param("float", 1e-4, 1e-3, log=False)
    assert space["batch_size"] == Param("choice", choices=(16, 32))
    assert space["units"] == Param("choice", choices=(8, 64))
    assert space["dropout"] == default_space("lstm")["dropout"]  # untouched


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[leaves]\nlow = 1\nhigh = 2\n", "expected a parameter of lstm .*received 'leaves'"),
        (
            "[lookback]\nlow = 60\nhigh = 20\n",
            r"\[lookback\]: expected low <= high, received low = 60",
        ),
        ("[dropout]\nlow = 0.3\nhigh = 0.2\n", r"\[dropout\]: expected low <= high"),
        ("[lookback]\nlow = 'ten'\n", r"\[lookback\] low: expected an integer, received 'ten'"),
        ("[lookback]\nlow = 10.5\n", r"\[lookback\] low: expected an integer, received 10.5"),
        ("[dropout]\nhigh = true\n", r"\[dropout\] high: expected a number, received True"),
        ("[dropout]\nstep = 0.1\n", r"\[dropout\] step: expected one of low, high, log, choices"),
        ("[learning_rate]\nlow = 0.0\n", r"\[learning_rate\]: expected low > 0 on a log scale"),
        ("[learning_rate]\nlog = 'yes'\n", r"\[learning_rate\] log: expected true or false"),
        ("[batch_size]\nlow = 8\n", r"\[batch_size\] low: expected one of choices"),
        ("[batch_size]\nchoices = []\n", r"\[batch_size\]: expected at least one choice"),
        ("[batch_size]\nchoices = 32\n", r"\[batch_size\] choices: expected a list, received 32"),
        ("[units]\nchoices = ['abc']\n", r"\[units\] choices: expected an integer, received 'abc'"),
        ("[batch_size]\nchoices = [0.5]\n", r"\[batch_size\] choices: expected an integer"),
        ("lookback = 5\n", r"\[lookback\]: expected a table of low, high, log, choices"),
        ("[lookback\n", "TOML"),
    ],
)
def test_a_bad_space_file_stops_in_one_line_naming_file_and_key(tmp_path, text, message):
    path = tmp_path / "space.toml"
    path.write_text(text)
    with pytest.raises(StockcasterError, match=message) as caught:
        read_space(path, "lstm")
    assert "\n" not in str(caught.value) and str(path) in str(caught.value)
