"""The billing run: which accounts a run bills (scope), how a chunk of them is billed (chunk), and the run's bookkeeping (engine)."""
