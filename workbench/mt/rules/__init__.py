"""The rule engine (``rules``) and its tables; see :mod:`workbench.mt.rules.engine`."""
from workbench.mt.rules.engine import RuleComposer, RuleEngine

__all__ = ["RuleComposer", "RuleEngine"]
