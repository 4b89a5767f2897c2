"""The whole-command check (sim.precheck): what it reads as Hydra would."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


@given(st.lists(st.one_of(st.integers(-10**12, 10**12).map(str),
                          st.floats(allow_nan=False, allow_infinity=False).map(repr),
                          st.from_regex(r"-?\d{1,4}(\.\d{0,6})?([eE][-+]?\d{1,2})?",
                                        fullmatch=True),
                          st.sampled_from(["abc", "true", "null", "[1,2]", "1_000", "0x10"])),
                min_size=1, max_size=6))  # fmt: skip
@settings(max_examples=200, deadline=None)
def test_the_checks_reading_of_plain_numbers_is_hydras(texts):
    # The whole-command check reads a design's plain numbers without Hydra's grammar
    # (sim.precheck._values): the same values and types as the grammar gives.
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import OverrideParseException

    from sim.precheck import _values

    parser = OverridesParser.create()
    lines = [f"culture.k{i}={text}" for i, text in enumerate(texts)]
    try:
        hydra = [(o.key_or_group, o.value()) for o in parser.parse_overrides(lines)]
    except OverrideParseException:
        with pytest.raises(OverrideParseException):
            _values(lines, parser)
        return
    mine = _values(lines, parser)
    assert mine == hydra and [type(v) for _, v in mine] == [type(v) for _, v in hydra]
