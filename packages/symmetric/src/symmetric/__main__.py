"""``python -m symmetric``: the ``symmetric`` command."""

from symmetric._cli import main

main()
