"""``orgsim --help`` lists every preset with its description whole, wrapped to the terminal."""

import re

from sim._help import _describe, help_text
from sim.conf import CONFIG_DIR


def test_every_preset_description_is_whole_and_wrapped():
    text = help_text()
    listing = text[text.index("config groups") :]
    assert "..." not in listing and "…" not in listing
    assert max(len(line) for line in text.splitlines()) <= 100
    flat = re.sub(r"\s+", " ", text)
    presets = [p for p in CONFIG_DIR.glob("*/*.yaml") if p.parent.name != "hydra"]
    assert len(presets) > 30
    for path in presets:
        said = _describe(path)
        assert said.endswith((".", ")", '"')) or len(said) < 70, (path, said)
        assert re.sub(r"\s+", " ", said) in flat, path


def test_a_sentence_ends_at_a_full_stop_before_a_capital(tmp_path):
    preset = tmp_path / "x.yaml"
    preset.write_text("# @package _global_\n# Fitted (Grimm et al. 2005): q/p above 1, as in\n"
                      "# the field. second sentence.\nkey: 1\n")  # fmt: skip
    assert _describe(preset) == "Fitted (Grimm et al. 2005): q/p above 1, as in the field."
