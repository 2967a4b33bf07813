"""The hard rules of a plan, one unit each: how candidates or the model enforce a rule, how
the greedy's ledger checks it, and how an unplaced session is explained by it.

`registry.HARD_RULES` lists them in the order in which an unplaced session is explained.
"""
