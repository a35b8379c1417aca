"""Benchmarks and load tests of the recognizer and the app, each run from the repository root as
`python -m scripts.NAME` (the Makefile's targets), and the helpers they share with the tests: `appserver` (the app on
a free port, the Chromium that visits it, its kernels) and `hostile_client` (the kernel's websocket spoken by hand)."""
