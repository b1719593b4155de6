from writer.cli import main

raise SystemExit(main())
