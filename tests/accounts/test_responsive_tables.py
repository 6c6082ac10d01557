from django.template import engines

from accounts.templatetags.nhs_tables import make_responsive

TABLE = """<table class="nhsuk-table" data-testid="t">
  <thead class="nhsuk-table__head"><tr class="nhsuk-table__row">
    <th scope="col" class="nhsuk-table__header">Name</th>
    <th scope="col" class="nhsuk-table__header">
      <span class="nhsuk-u-visually-hidden">Actions &amp; links</span></th>
  </tr></thead>
  <tbody class="nhsuk-table__body">
    <tr class="nhsuk-table__row"><td class="nhsuk-table__cell">Ann &amp; Bo</td>
      <td class="nhsuk-table__cell"><a href="/x?a=1&amp;b=2">Edit</a></td></tr>
    <tr class="nhsuk-table__row"><td class="nhsuk-table__cell" colspan="2">Nothing else.</td></tr>
  </tbody>
</table>"""

HEADING = '<span class="nhsuk-table-responsive__heading" aria-hidden="true">'


def test_every_body_cell_is_given_its_column_heading_for_the_phone_layout():
    html = make_responsive(TABLE)
    assert f"{HEADING}Name </span>Ann &amp; Bo" in html
    assert f'{HEADING}Actions &amp; links </span><a href="/x?a=1&amp;b=2">' in html


def test_the_table_becomes_the_nhs_responsive_table_with_the_roles_that_keep_it_a_table():
    html = make_responsive(TABLE)
    assert '<table class="nhsuk-table-responsive" data-testid="t" role="table">' in html
    assert 'role="rowgroup"' in html and 'role="row"' in html
    assert html.count('role="columnheader"') == 2 and html.count('role="cell"') == 3


def test_a_cell_spanning_columns_gets_no_heading_and_a_written_heading_is_not_repeated():
    html = make_responsive(TABLE)
    assert 'colspan="2" role="cell">Nothing else.' in html
    assert make_responsive(html).count("nhsuk-table-responsive__heading") == 2


def test_the_template_tag_wraps_what_the_template_renders():
    template = engines["django"].from_string(
        "{% load nhs_tables %}{% responsive_table %}<table class='nhsuk-table'><thead><tr>"
        "<th>When</th></tr></thead><tbody><tr><td>{{ when }}</td></tr></tbody></table>"
        "{% endresponsive_table %}"
    )
    html = template.render({"when": "<today>"})
    assert f"{HEADING}When </span>&lt;today&gt;</td>" in html
