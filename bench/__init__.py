"""Benchmarks for Qingdan. Run by hand (see README.md); never collected by the tests."""
