"""Settings modules of the CLI tests: each one broken (or extended) in one way."""
