"""Exit codes of the `egovcrawl` commands: a documented contract for cron jobs and schedulers.

A scheduler tells "fix the config" (2) from "the site was down" (1) and "another run is still
going" (75, sysexits' EX_TEMPFAIL, which systemd and many cron wrappers treat as "try later").
"""

EXIT_OK = 0
EXIT_PARTIAL = 1  # the command ran, but some sites or requests failed (judged from the stats)
EXIT_CONFIG = 2  # bad site profile, bad option or argument (click uses 2 for usage errors too)
EXIT_INPUT = 3  # an input file could not be read or is not what the command needs
EXIT_ARCHIVE = 4  # the archive could not be opened, migrated or written
EXIT_LOCKED = 75  # another crawl holds the archive's lock; nothing was touched (EX_TEMPFAIL)
