"""The SVG bar charts, read back as XML."""

import xml.etree.ElementTree as ET

from tracking.charts import Bar, bar_chart, nice_ceiling

SVG = "{http://www.w3.org/2000/svg}"


def chart(bars, **options):
    svg = bar_chart(
        chart_id="c",
        title=options.pop("title", "Days in transit"),
        description=options.pop("description", "How long deliveries took."),
        bars=bars,
        x_label="Days",
        y_label="Shipments",
        **options,
    )
    return ET.fromstring(str(svg))


def bar_rects(root):
    return [g.find(f"{SVG}rect") for g in root.iter(f"{SVG}g") if g.get("class") == "bar"]


def texts(root, cls):
    return [t.text for t in root.iter(f"{SVG}text") if t.get("class") == cls]


def test_the_chart_is_an_image_named_by_its_title_and_described():
    root = chart([Bar("1", 3)])

    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c-title c-desc"
    assert root.find(f"{SVG}title").text == "Days in transit"
    assert root.find(f"{SVG}title").get("id") == "c-title"
    assert root.find(f"{SVG}desc").text == "How long deliveries took."
    assert texts(root, "axis-label") == ["Days", "Shipments"]


def test_bars_are_as_tall_as_their_values_and_say_them():
    root = chart([Bar("0", 0), Bar("1", 10), Bar("2", 20), Bar("3", 5)])

    rects = bar_rects(root)
    heights = [float(r.get("height")) for r in rects]
    assert heights[0] == 0
    assert heights[2] == 2 * heights[1] == 4 * heights[3]
    # Every bar stands on the same base line.
    assert len({float(r.get("y")) + float(r.get("height")) for r in rects}) == 1
    assert [r.find(f"{SVG}title").text for r in rects] == ["0: 0", "1: 10", "2: 20", "3: 5"]
    # Values printed above the bars (none for an empty bar), labels below.
    assert texts(root, "value") == ["10", "20", "5"]
    assert texts(root, "tick")[-4:] == ["0", "1", "2", "3"]


def test_the_value_axis_has_round_ticks_reaching_past_the_largest_value():
    root = chart([Bar("a", 47)])

    assert texts(root, "tick")[:4] == ["0", "20", "40", "60"]
    assert nice_ceiling(0) == (1, 1)
    assert nice_ceiling(3) == (3, 1)
    assert nice_ceiling(100) == (100, 50)
    assert nice_ceiling(1234) == (1500, 500)


def test_long_series_label_every_nth_bar_and_the_last():
    bars = [Bar(f"Nov {day}", day) for day in range(1, 31)]

    labels = texts(chart(bars, label_every=5), "tick")

    assert [t for t in labels if t.startswith("Nov")] == [
        "Nov 1",
        "Nov 6",
        "Nov 11",
        "Nov 16",
        "Nov 21",
        "Nov 26",
        "Nov 30",
    ]
    assert len(bar_rects(chart(bars, label_every=5))) == 30


def test_text_is_escaped():
    root = chart([Bar("<b>&", 1)], title='Tom & "Jerry" <script>', description="a < b")

    assert root.find(f"{SVG}title").text == 'Tom & "Jerry" <script>'
    assert root.find(f"{SVG}desc").text == "a < b"
    assert "<b>&" in texts(root, "tick")


def test_an_empty_chart_is_still_drawn():
    root = chart([Bar("0", 0), Bar("1", 0)])

    assert [float(r.get("height")) for r in bar_rects(root)] == [0, 0]
    assert texts(root, "value") == []
    assert chart([]).find(f"{SVG}title").text == "Days in transit"
