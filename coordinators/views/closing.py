"""Closing a case with its outcome."""

from django.views.decorators.http import require_http_methods

from accounts.models import TEAM_ROLES
from accounts.permissions import role_required

from .. import measures, selectors, services
from ..forms import CloseCaseForm
from .shared import _form_page, _open_case


@role_required(*TEAM_ROLES)
@require_http_methods(["GET", "POST"])
def case_close(request, reference):
    case = _open_case(request, reference)
    file = selectors.case_file(case)
    form = CloseCaseForm(request.POST or None, goals=file.goals)

    def run(data):
        services.close_case(
            case=case,
            by=request.user,
            outcome=data["outcome"],
            summary=data["summary"],
            goal_statuses=data["goal_statuses"],
            closing_measures=data["closing_measures"],
            outcome_reason=data["outcome_reason"],
        )

    return _form_page(
        request,
        case,
        form,
        run,
        heading="Close the case",
        button="Close the case",
        done="Case closed. The referring practice can now see the summary.",
        extra={
            "copyright_lines": [i.copyright for i in measures.enabled_instruments()],
            "summary_preview": selectors.summary_preview(file),
        },
    )
