"""``python -m rvisor``: the same command line as the ``rvisor`` script."""

from rvisor.cli import main

# runs when the package is executed with python -m rvisor
if __name__ == "__main__":
    main()
