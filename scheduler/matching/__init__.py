"""Forming the pairs of a programme (`tandem match`): see `match.match_pool`."""
