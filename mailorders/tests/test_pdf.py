"""PDF rendering: merge variables, amounts in words, nothing fetched, uploaded PDFs as they are."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from mailorders import pdf
from mailorders.pdf import ContentError, amount_in_figures, amount_in_words, merge


@pytest.mark.parametrize(
    ("cents", "words"),
    [
        (1, "Zero and 01/100 dollars"),
        (100, "One and 00/100 dollars"),
        (1999, "Nineteen and 99/100 dollars"),
        (10000, "One hundred and 00/100 dollars"),
        (123456, "One thousand two hundred thirty-four and 56/100 dollars"),
        (2_000_015_00, "Two million fifteen and 00/100 dollars"),
        (1_001_000_000_00, "One billion one million and 00/100 dollars"),
        (90_000_00, "Ninety thousand and 00/100 dollars"),
    ],
)
def test_amount_in_words(cents, words):
    assert amount_in_words(cents, "USD") == words


def test_amount_in_figures():
    assert amount_in_figures(123456789, "CAD") == "$1,234,567.89 CAD"


def test_merge_substitutes_nested_values_and_escapes_them():
    html = "<p>{{ name }} {{to.city}} {{flag}} {{none}}</p>"
    merged = merge(
        html,
        {"name": "<script>x</script>", "to": {"city": "Paris & co"}, "flag": True, "none": None},
        field="html",
    )
    assert merged == "<p>&lt;script&gt;x&lt;/script&gt; Paris &amp; co true </p>"


def test_merge_refuses_a_missing_variable_naming_it():
    with pytest.raises(ContentError, match=r"no value for `order\.total`") as exc:
        merge("{{order.total}}", {"order": {}}, field="html")
    assert exc.value.field == "mergeVariables"


def test_merge_leaves_what_is_not_a_tag():
    assert merge("{{ }} {x} {{a b}}", {}, field="html") == "{{ }} {x} {{a b}}"


def test_the_offline_fetcher_refuses_everything_but_data_urls():
    fetcher = pdf.OfflineFetcher()
    for target in (
        "http://127.0.0.1/x.png",
        "https://example.com/",
        "file:///etc/passwd",
        "ftp://x/",
    ):
        with pytest.raises(pdf.FatalURLFetchingError):
            fetcher.fetch(target)
    assert fetcher.fetch("data:text/plain;base64,aGk=") is not None


def test_a_data_url_image_renders_offline():
    png = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQ"
        "GAhKmMIQAAAABJRU5ErkJggg=="
    )
    document = pdf._document(f'<p>logo <img src="{png}"></p>', "us_letter", field="html")
    data = document.write_pdf()
    assert "logo" in PdfReader(io.BytesIO(data)).pages[0].extract_text()


def test_page_count_of_an_uploaded_pdf():
    from weasyprint import HTML

    data = HTML(
        string="<p>1</p><p style='break-before: page'>2</p><p style='break-before: page'>3</p>"
    ).write_pdf()
    assert pdf.pdf_page_count(data) == 3 == len(PdfReader(io.BytesIO(data)).pages)


def test_a_broken_pdf_is_refused():
    with pytest.raises(ContentError, match="cannot be read as a PDF") as exc:
        pdf.pdf_page_count(b"%PDF-1.7\nnot really")
    assert exc.value.field == "pdf"
