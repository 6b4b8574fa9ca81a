"""`python -m assistant` is the `guidance` command."""

from assistant.cli import main

main()
