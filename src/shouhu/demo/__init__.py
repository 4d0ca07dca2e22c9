"""The demo: a synthetic population of Lixin County (利辛县) and one account per role.

Nothing here describes real people. ``population`` plans the households from a seed; ``seed`` writes
them through the registry's services, so that every demo child is classified as a real one would be.
"""
