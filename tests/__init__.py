"""The tests, a package so that pytest imports them from the repository root, where `scripts` (the helpers they
share with the benchmarks) is found."""
