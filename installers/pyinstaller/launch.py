"""Entry point of the frozen app: the editor, the command line, or (with --engine-worker) the engine."""

from writer.cli import main

raise SystemExit(main())
