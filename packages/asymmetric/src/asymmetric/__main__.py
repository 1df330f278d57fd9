"""``python -m asymmetric run module``: the same as the ``asymmetric`` command."""

from asymmetric._cli import main

if __name__ == "__main__":
    main(prog_name="asymmetric")
