"""Template tags and filters of the search page's filters and of the result table (search
and needs-attention pages)."""

from html import escape

from django import template
from django.forms import ModelChoiceField
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime

register = template.Library()


@register.filter
def options(bound_field) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of a choice field, read once: a select written out in the
    template costs a fraction of Django's widget templates (one include per option)."""
    current = bound_field.value()
    current = "" if current is None else str(current)
    return [(str(v), label, str(v) == current) for v, label in _choices(bound_field.field)]


def _choices(field):
    """A field's choices; a model choice field's rows in one plain query (Django's own
    iterator reads them through a server-side cursor on PostgreSQL: three round trips)."""
    if not isinstance(field, ModelChoiceField):
        return field.choices
    iterator = field.iterator(field)
    choices = [("", field.empty_label)] if field.empty_label is not None else []
    return [*choices, *(iterator.choice(obj) for obj in list(field.queryset))]


# One field of the search form's filters (templates/tracking/search.html), written here for the
# same reason as the rows below: a template lookup per attribute of a dozen fields.
FIELD = """
        <p><label for="{id}">{label}</label>
        {control}</p>
      """
NOT_FILTERS = ("q", "page")  # the search box has its own place; pages come from the pager


@register.simple_tag
def filter_fields(form) -> SafeString:
    """The filters of the search form: every visible field but NOT_FILTERS, with its label; a
    select written out (options), a date as a date input, anything else as its own widget."""
    return SafeString("".join(_field(f) for f in form if not _skipped(f)))


def _skipped(bound_field) -> bool:
    return bound_field.name in NOT_FILTERS or bound_field.is_hidden


def _field(f) -> str:
    ids = f'name="{escape(f.html_name)}" id="{escape(f.id_for_label)}"'
    if f.widget_type == "select":
        choices = "".join(
            f'<option value="{escape(value)}"{" selected" if selected else ""}>'
            f"{conditional_escape(label)}</option>"
            for value, label, selected in options(f)
        )
        control = f"<select {ids}>{choices}</select>"
    elif f.widget_type == "date":
        control = f'<input type="date" {ids} value="{_shown(f.value())}">'
    else:
        control = str(f)
    return FIELD.format(
        id=escape(f.id_for_label), label=conditional_escape(f.label), control=control
    )


def _shown(value) -> str:
    """A value as the template language prints it (`{{ value|default:'' }}`)."""
    return conditional_escape(localize(template_localtime(value))) if value else ""


# One row of the result table, as templates/tracking/_results.html lays it out. The rows are
# written here rather than by the template language: a page of a hundred rows took a
# template engine lookup per value (about 25 per row), far more than the page's queries.
ROW = """
    <tr>
      <th scope="row" data-label="Tracking number"><a href="{url}{public_id}/">{number}</a> \
<span class="muted">{carrier}</span>{label}</th>
      <td data-label="Status"><span class="badge tag-{tag} pill" title="{subtag_message}">\
{tag_label}</span></td>
      <td data-label="Last checkpoint" class="fluid">{checkpoint}</td>
      <td data-label="Customer"><span class="cut narrow-cut" title="{customer}">{customer_shown}\
</span></td>
      <td data-label="Order">{order}</td>
      <td data-label="Partner"><span class="cut narrow-cut" title="{partner}">{partner}</span></td>
      <td data-label="Age">{age}</td>
    </tr>
  """
FROM_LABEL = ' <span class="badge source-label" title="Created by a shipping label">label</span>'
CHECKPOINT = '<span class="cut" title="{about}">{message}<span class="muted">{where}</span></span>'
NO_CHECKPOINT = '<span class="muted">No checkpoint yet</span>'
NOTHING = "\N{EM DASH}"


@register.simple_tag
def result_rows(rows, shipments_url: str) -> SafeString:
    """The table rows of `rows` (tracking.selectors.ResultRow), each linking to its shipment
    page under `shipments_url`; every value escaped as the template language escapes it."""
    url = escape(shipments_url)
    return SafeString("".join(_row(row, url) for row in rows))


def _row(s, url: str) -> str:
    cp = s.last_checkpoint
    if cp is None:
        checkpoint = NO_CHECKPOINT
    else:
        place = cp.place
        where = escape(f"{f' · {place}' if place else ''} · {cp.when}")
        message = escape(cp.message)
        checkpoint = CHECKPOINT.format(about=message + where, message=message, where=where)
    return ROW.format(
        url=url,
        public_id=escape(s.public_id),
        number=escape(s.tracking_number),
        carrier=escape(s.carrier),
        label=FROM_LABEL if s.from_label else "",
        tag=escape(s.tag.lower()),
        subtag_message=escape(s.subtag_message),
        tag_label=escape(str(s.tag_label)),
        checkpoint=checkpoint,
        customer=escape(s.customer_name),
        customer_shown=escape(s.customer_name or NOTHING),
        order=escape(s.order_number or s.order_id or NOTHING),
        partner=escape(s.partner_name),
        age=escape(s.age),
    )
