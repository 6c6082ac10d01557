"""The reports app's business rules, one module per topic:

- deprivation: importing the published IMD-by-LSOA and postcode-to-LSOA files
- snapshots: building last month's frozen figures and telling the readers
"""

from .deprivation import import_deprivation_lookup
from .snapshots import build_monthly_snapshots

__all__ = ["build_monthly_snapshots", "import_deprivation_lookup"]
