"""One module per lint rule, named after its code (``fm101_driver_wall_clock.py``).

Bands: FM1xx non-determinism in drivers, FM2xx global state, FM3xx type safety of task
interfaces, FM4xx driver resources and call mechanics, FM5xx Flyte 1 leftovers. Every rule is
listed in ``flytemigrate.lint.registry.ALL_RULES``.
"""
