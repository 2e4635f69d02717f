"""`python -m benchmarks` (`make bench`): measures the figures of issue 7 and prints one table.

Every figure reports; none fails the build. Where a model is involved it is the fake
OpenAI-compatible server of the test suite (tests/fake_openai), on 127.0.0.1.
"""
