"""The messages back about one referral, for the pages of the apps below this one (the
practice's referral page, the team's case page), which cannot import it."""

from django import template

from referrals.models import Referral

from .. import selectors

register = template.Library()


@register.inclusion_tag("gp_messages/includes/about_referral.html", takes_context=True)
def messages_back_about(context: template.Context, referral: Referral) -> dict:
    user = context["request"].user
    return {
        "messages_back": selectors.messages_about(user, referral),
        "for_team": user.is_team_member(referral.team_id),
    }
