"""Signs the patient's answer links when a message is rendered for sending, so no token is
ever stored with the reminder."""

from django import template

from referrals import attendance_links

register = template.Library()


@register.simple_tag
def attendance_answer_url(service_referral_id, answer):
    return attendance_links.url_for(int(service_referral_id), answer)
