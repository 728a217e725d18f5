"""`python -m harvester` = the `harvester` command."""

from harvester.cli.app import main

main()
