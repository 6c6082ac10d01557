"""Signs the provider's link when its email is rendered for sending, so no token is ever
stored with the reminder."""

from django import template

from referrals import provider_links

register = template.Library()


@register.simple_tag
def provider_link_url(link_id):
    return provider_links.url_for_id(int(link_id))
