"""The reports app's business rules, one module per topic:

- deprivation: importing the published IMD-by-LSOA and postcode-to-LSOA files
- snapshots: building last month's frozen figures and telling the readers
- summaries: rebuilding the day summaries the report pages read
"""

from .deprivation import import_deprivation_lookup
from .snapshots import build_monthly_snapshots
from .summaries import refresh_report_summaries

__all__ = ["build_monthly_snapshots", "import_deprivation_lookup", "refresh_report_summaries"]
