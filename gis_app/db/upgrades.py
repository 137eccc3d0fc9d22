"""Which populated databases `gis-app db upgrade` is tested to carry to head.

The oldest supported revision is the schema of the last released state: the code at
`OLDEST_SUPPORTED_COMMIT` (main before the wave of migrations 0014 land classes and 0015
rank equivalence), whose head is 0013. tests/db/test_upgrade_populated.py loads that
commit's sample into a database at that revision and upgrades it to head; a database older
than this may upgrade too, but no test says so.
"""

from __future__ import annotations

OLDEST_SUPPORTED_REVISION = "0013"
OLDEST_SUPPORTED_COMMIT = "aa413cbefeb9397488fe44465980de740f2a7c77"
