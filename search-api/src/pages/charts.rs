//! Bar charts as inline SVG: drawn on the server, so a page shows its
//! figures without scripts, and each bar carries its label and value as data
//! attributes for anyone (or any test) reading the page.

use std::fmt::Write;

use super::layout::escape;

/// Chart width and height in pixels.
const WIDTH: f64 = 900.0;
const HEIGHT: f64 = 260.0;
/// Room for labels below and values above the bars.
const MARGIN_BOTTOM: f64 = 60.0;
const MARGIN_TOP: f64 = 20.0;

/// A vertical bar chart of `bars` (label, value), titled for screen readers.
pub fn bar_chart(id: &str, title: &str, bars: &[(String, f64)]) -> String {
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<figure class="chart"><figcaption>{title}</figcaption><svg id="{id}" role="img" aria-label="{title}" viewBox="-40 0 {vw} {HEIGHT}" width="100%">"#,
        id = escape(id),
        title = escape(title),
        // Room on the left for the first rotated label.
        vw = WIDTH + 40.0
    );
    if bars.is_empty() {
        let _ = write!(
            svg,
            r#"<text x="20" y="40">No records in this range.</text>"#
        );
    }
    let max = bars.iter().map(|(_, v)| *v).fold(0.0, f64::max).max(1.0);
    let slot = WIDTH / bars.len().max(1) as f64;
    let plot = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP;
    for (index, (label, value)) in bars.iter().enumerate() {
        let height = plot * value / max;
        let x = index as f64 * slot + slot * 0.15;
        let y = MARGIN_TOP + plot - height;
        let _ = write!(
            svg,
            r##"<g class="bar" data-label="{label}" data-value="{value}"><rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{height:.1}" fill="#00426a"><title>{label}: {value}</title></rect><text x="{cx:.1}" y="{ty:.1}" text-anchor="middle" font-size="11">{value}</text><text x="{cx:.1}" y="{ly:.1}" text-anchor="end" font-size="11" transform="rotate(-35 {cx:.1} {ly:.1})">{short}</text></g>"##,
            label = escape(label),
            w = slot * 0.7,
            cx = x + slot * 0.35,
            ty = (y - 4.0).max(10.0),
            ly = HEIGHT - MARGIN_BOTTOM + 14.0,
            short = escape(&label.chars().take(28).collect::<String>()),
        );
    }
    svg.push_str("</svg></figure>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_carry_their_label_and_value_escaped() {
        let svg = bar_chart(
            "c",
            "Publications <per> year",
            &[("2020".into(), 3.0), ("<x>".into(), 0.0)],
        );
        assert!(svg.contains(r#"data-label="2020" data-value="3""#));
        assert!(svg.contains(r#"data-label="&lt;x&gt;" data-value="0""#));
        assert!(svg.contains("Publications &lt;per&gt; year"));
        assert!(bar_chart("e", "t", &[]).contains("No records"));
    }
}
