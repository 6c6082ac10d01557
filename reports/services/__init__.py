"""The reports app's business rules, one module per topic:

- deprivation: importing the published IMD-by-LSOA and postcode-to-LSOA files
- snapshots: building last month's frozen figures and telling the readers
- summaries: rebuilding the day and month summaries the report pages read, and keeping the
  figures readers open first
"""

from .deprivation import import_deprivation_lookup
from .snapshots import build_monthly_snapshots
from .summaries import refresh_report_summaries, warm_report_figures

__all__ = [
    "build_monthly_snapshots",
    "import_deprivation_lookup",
    "refresh_report_summaries",
    "warm_report_figures",
]
