"""The base class of adoption rules."""


class Rule:
    """Base class of adoption rules.

    A rule is an immutable parameter object; ``bind`` ties it to what a run
    needs and returns the weekly dynamics the model calls.
    """

    #: Names of the behaviors this rule models, in ladder order.
    behaviors: tuple[str, ...] = ("adopt",)

    #: Whether the rule needs an organization (hierarchy, units, traits), not
    #: only a network.
    needs_org = False

    def bind(self, network):
        """The rule's weekly dynamics on ``network``."""
        raise NotImplementedError
