"""The message back as a PDF letter on NHS-styled letterhead, rendered by WeasyPrint from a
template (HTML and print CSS), so the letter and the page say the same thing."""

from django.template.loader import render_to_string

from .models import MessageBack


def message_letter_pdf(message: MessageBack) -> bytes:
    from weasyprint import HTML  # loads Pango: only when a letter is asked for

    html = render_to_string("gp_messages/letter.html", {"message": message})
    return HTML(string=html).write_pdf()
