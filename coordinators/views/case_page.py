"""The case page and its printable plan."""

from django.shortcuts import render
from django.utils import timezone

from accounts.models import TEAM_ROLES, Role
from accounts.permissions import role_required
from referrals.selectors import patient_checks

from .. import measures, selectors, services


@role_required(*TEAM_ROLES)
def case_detail(request, reference):
    case = selectors.get_case(request.user, reference)
    services.record_case_viewed(case=case, by=request.user)
    file = selectors.case_file(case)
    return render(
        request,
        "coordinators/case_detail.html",
        {
            "case": case,
            "file": file,
            **patient_checks(request.user, case),
            "is_open": case.is_open_case,
            "summary": selectors.case_summary(file, now=timezone.now()),
            "is_manager": request.user.has_role(Role.MANAGER),
            "instruments": measures.enabled_instruments(),
            "first_goal_domain": file.goals[0].need_domain if file.goals else "",
            "service_referrals": file.service_referrals,
            "can_refer_on": case.is_open_case and bool(file.active_goals),
        },
    )


@role_required(*TEAM_ROLES)
def plan_print(request, reference):
    case = selectors.get_case(request.user, reference)
    services.record_case_viewed(case=case, by=request.user, what="plan", via="printable plan")
    return render(
        request,
        "coordinators/plan_print.html",
        {"case": case, "plan": selectors.plan_for_print(case), "today": timezone.localdate()},
    )
