//! Bar charts as inline SVG: drawn on the server, so a page shows its
//! figures without scripts, and each bar carries its label and value as data
//! attributes for anyone (or any test) reading the page. A maud template, so
//! labels and titles are escaped by default.

use maud::{html, Markup};

/// Chart width and height in pixels.
const WIDTH: f64 = 900.0;
const HEIGHT: f64 = 320.0;
/// Room for rotated labels below (a 26-character label at 11 px, at -35°,
/// reaches about 100 px down), values above, and the y axis on the left.
const MARGIN_BOTTOM: f64 = 110.0;
const MARGIN_TOP: f64 = 20.0;
const MARGIN_LEFT: f64 = 150.0;
/// Longest label drawn whole; longer ones end in "…" (the full one is in the tooltip).
const LABEL_CHARS: usize = 26;

/// Year bars with the missing years between the first and the last put in
/// at zero, so the axis is evenly spaced; labels that are not years (the
/// "(unknown)" group) keep their place at the end.
pub fn fill_years(bars: Vec<(String, f64)>) -> Vec<(String, f64)> {
    let years: Vec<u16> = bars
        .iter()
        .filter_map(|(label, _)| label.parse().ok())
        .collect();
    let (Some(&first), Some(&last)) = (years.iter().min(), years.iter().max()) else {
        return bars;
    };
    let mut filled: Vec<(String, f64)> = (first..=last)
        .map(|year| {
            let label = year.to_string();
            let value = bars
                .iter()
                .find(|(other, _)| *other == label)
                .map_or(0.0, |(_, value)| *value);
            (label, value)
        })
        .collect();
    filled.extend(
        bars.into_iter()
            .filter(|(label, _)| label.parse::<u16>().is_err()),
    );
    filled
}

/// Up to five round tick values from 0 to at least `max`.
fn ticks(max: f64) -> Vec<f64> {
    let raw = (max / 4.0).max(1.0);
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|step| *step >= raw)
        .unwrap_or(raw);
    let mut values = Vec::new();
    let mut value = 0.0;
    while value <= max + step * 0.5 {
        values.push(value);
        value += step;
    }
    values
}

/// A vertical bar chart of `bars` (label, value), titled for screen readers.
pub fn bar_chart(id: &str, title: &str, bars: &[(String, f64)]) -> Markup {
    let plot = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP;
    let scale = ticks(bars.iter().map(|(_, v)| *v).fold(0.0, f64::max).max(1.0));
    let top = scale.last().copied().unwrap_or(1.0).max(1.0);
    let slot = WIDTH / bars.len().max(1) as f64;
    let base = MARGIN_TOP + plot;
    // Coordinates to a tenth of a pixel: enough for the eye, short in the page.
    let at = |value: f64| format!("{value:.1}");
    html! {
        figure.chart {
            figcaption { (title) }
            svg id=(id) role="img" aria-label=(title)
                viewBox=(format!("{} 0 {} {HEIGHT}", -MARGIN_LEFT, WIDTH + MARGIN_LEFT))
                width="100%" {
                @if bars.is_empty() {
                    text x="20" y="40" { "No records in this range." }
                } @else {
                    // The y axis: a line, and a labelled gridline at each tick.
                    g.axis {
                        line x1="-4" y1=(MARGIN_TOP) x2="-4" y2=(base) stroke="#50606f" {}
                        @for tick in &scale {
                            @let y = MARGIN_TOP + plot - plot * tick / top;
                            line x1="-8" y1=(at(y)) x2=(WIDTH) y2=(at(y)) stroke="#dde2e7" {}
                            text x="-12" y=(at(y + 4.0)) text-anchor="end" font-size="11" { (tick) }
                        }
                    }
                }
                @for (index, (label, value)) in bars.iter().enumerate() {
                    @let height = plot * value / top;
                    @let x = index as f64 * slot + slot * 0.15;
                    @let y = MARGIN_TOP + plot - height;
                    @let cx = at(x + slot * 0.35);
                    @let ly = at(HEIGHT - MARGIN_BOTTOM + 14.0);
                    g.bar data-label=(label) data-value=(value) {
                        rect x=(at(x)) y=(at(y)) width=(at(slot * 0.7)) height=(at(height)) fill="#00426a" {
                            title { (label) ": " (value) }
                        }
                        text x=(cx) y=(at((y - 4.0).max(10.0))) text-anchor="middle" font-size="11" { (value) }
                        text x=(cx) y=(ly) text-anchor="end" font-size="11"
                            transform=(format!("rotate(-35 {cx} {ly})")) { (shorten(label)) }
                    }
                }
            }
        }
    }
}

/// The label as drawn: whole up to [`LABEL_CHARS`], else cut with "…".
fn shorten(label: &str) -> String {
    if label.chars().count() > LABEL_CHARS {
        let cut: String = label.chars().take(LABEL_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    } else {
        label.to_owned()
    }
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
        )
        .into_string();
        assert!(svg.contains(r#"data-label="2020" data-value="3""#));
        assert!(svg.contains(r#"data-label="&lt;x&gt;" data-value="0""#));
        assert!(svg.contains("Publications &lt;per&gt; year"));
        assert!(bar_chart("e", "t", &[])
            .into_string()
            .contains("No records"));
    }

    #[test]
    fn years_are_evenly_spaced_and_the_axis_is_labelled() {
        let filled = fill_years(vec![
            ("2018".into(), 2.0),
            ("2021".into(), 1.0),
            ("(unknown)".into(), 4.0),
        ]);
        let labels: Vec<&str> = filled.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["2018", "2019", "2020", "2021", "(unknown)"]);
        assert_eq!(filled[1].1, 0.0);
        assert_eq!(ticks(7.0), [0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(ticks(1.0), [0.0, 1.0]);
        let svg = bar_chart("c", "t", &[("a".repeat(40), 3.0)]).into_string();
        assert!(svg.contains(r#"class="axis""#));
        assert!(svg.contains('…'), "a long label is shortened visibly");
    }
}
