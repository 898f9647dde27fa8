"""The one compiled module: the candidate stage's posting loops (everything else is in pyproject.toml).

``optional``: without a C compiler the install still succeeds and retrieval/kernels.py runs the same loops in NumPy.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "retrieval._kernels",
            sources=["retrieval/_kernels.c"],
            # No fused multiply-add: the pool score must round as NumPy's ``own + weight * para`` does.
            extra_compile_args=["-O2", "-ffp-contract=off"],
            optional=True,
        )
    ]
)
