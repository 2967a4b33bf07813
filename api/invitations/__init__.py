"""Sessions as Outlook meetings: the outbox written with each plan, the sender that
carries it out exactly once, and the responses read back."""
