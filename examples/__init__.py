"""Example apps: run them from the repository root (see examples/README.md).

The package index holds legacy releases under three of our names (asymmetric 0.3,
symmetric 3.x, pymacaron-core 1.0.x), on which these apps half-work. Importing the examples
with one of those installed stops at once and says how to install ours.
"""

from importlib import metadata

OURS = {"asymmetric": 1, "symmetric": 4, "pymacaron-core": 2}  # our first major versions

for _dist, _major in OURS.items():
    try:
        _version = metadata.version(_dist)
    except metadata.PackageNotFoundError:
        continue
    if int(_version.split(".")[0]) < _major:
        raise ImportError(
            f"{_dist} {_version} is installed: that is the legacy release from the package "
            f"index, not this repository's {_dist} (>= {_major}.0). From a clone, install "
            f"ours with: pip wheel --no-deps --wheel-dir dist ./packages/* && "
            f'pip install --find-links dist "{_dist}>={_major}.0"'
        )
