"""Allow ``python -m flytemigrate``."""

from flytemigrate.cli import main

main()
