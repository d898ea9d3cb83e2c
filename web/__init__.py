"""The outside world: the Litestar app (pages and the JSON API) and the `aixin` command line. Thin: it translates HTTP and argv into calls."""
