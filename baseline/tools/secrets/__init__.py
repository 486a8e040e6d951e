"""Our own hard-coded secrets detector: provider rules, a generic assignment rule, git history."""
