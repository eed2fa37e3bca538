"""``python -m curator``: the ``curator`` command, for environments whose scripts folder is not on
PATH."""

from .cli import main

if __name__ == "__main__":
    main()
