"""passgate's benchmark: passgate against the limits of the machine it runs on.

`scripts/bench` (or `python -m bench`) measures, in one run, raw bcrypt
throughput, a bare grpcio echo server built the way passgate builds its own,
and a real passgate server, and writes ratios of one to the other beside their
goals. See bench/README.md.
"""
