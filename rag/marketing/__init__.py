"""Marketing writing: the team's voice profile and the writing recipes (posts, copy, articles, answers)."""
