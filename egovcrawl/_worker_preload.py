"""Imported once by the extraction workers' fork server, before it forks any worker.

Whatever this loads is shared copy-on-write by every worker instead of loaded once per worker:
the extraction modules and the language-identification model (py3langid, ≈ 100 MB, otherwise
loaded by each worker on its first page that needs it).
"""

from egovcrawl.extract.language import _identifier
from egovcrawl.worker import _warm_up

_identifier()
_warm_up()
