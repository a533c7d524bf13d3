//! The page shell shared by every page, and the query-value encoding their
//! links use. The shell and the bodies it wraps are maud templates, so what
//! they interpolate is escaped by default.

use maud::{html, Markup, PreEscaped, DOCTYPE};

pub use hcs_model::markup::encode_query_value as encode;

/// The navigation: where each link goes and what it says.
const NAVIGATION: [(&str, &str); 6] = [
    ("/", "Publications"),
    ("/grants", "Grants"),
    ("/metrics", "Participation"),
    ("/report", "Report"),
    ("/people", "People"),
    ("/review", "Review"),
];

/// Every page's style sheet, inline so a page needs no second request.
const STYLE: &str = r#"
body { font-family: system-ui, sans-serif; margin: 0; color: #1d2733; background: #f7f8fa; }
header { background: #00426a; color: white; padding: 0.8rem 1.5rem; display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; align-items: baseline; }
header nav { display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; }
header a { color: white; text-decoration: none; }
header strong { font-size: 1.2rem; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
.layout { display: grid; grid-template-columns: 16rem minmax(0, 1fr); gap: 1.5rem; }
.filters { margin: 0.3rem 0 0.8rem; font-size: 0.9rem; }
.filters a { display: inline-block; background: #e8eef5; border-radius: 1rem; padding: 0.1rem 0.6rem; margin: 0 0.3rem 0.3rem 0; color: #1d2733; text-decoration: none; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
aside h3 { font-size: 0.9rem; margin: 1rem 0 0.3rem; text-transform: uppercase; color: #50606f; }
aside ul { list-style: none; padding: 0; margin: 0; font-size: 0.9rem; }
.result { background: white; padding: 0.8rem 1rem; margin: 0 0 0.8rem; border-radius: 6px; box-shadow: 0 1px 2px #0002; }
.result h2 { font-size: 1.05rem; margin: 0 0 0.3rem; }
.meta { color: #50606f; font-size: 0.85rem; }
.tag { display: inline-block; background: #e3f1e8; color: #165c2d; border-radius: 4px; padding: 0 0.35rem; font-size: 0.8rem; margin-left: 0.3rem; }
.tag.review { background: #fff3d6; color: #7a5500; }
table { border-collapse: collapse; background: white; width: 100%; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #dde2e7; padding: 0.35rem 0.6rem; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
form.search input[type=text] { width: 60%; padding: 0.4rem; font-size: 1rem; }
.chart { background: white; padding: 0.5rem; border-radius: 6px; margin: 0.8rem 0; }
.error { background: #fde8e8; padding: 0.8rem 1rem; border-radius: 6px; }
b { background: #fff1a8; }
.review dl { display: grid; grid-template-columns: minmax(0, max-content) minmax(0, 1fr); gap: 0.2rem 0.8rem; margin: 0.5rem 0; }
.review dt { font-weight: 600; }
.review dd { margin: 0; overflow-wrap: anywhere; }
.review td { overflow-wrap: anywhere; }
.review caption { text-align: left; font-weight: 600; padding: 0.3rem 0; }
.review form.decide { margin-top: 0.6rem; }
.review form.decide label { display: block; font-size: 0.9rem; }
.review textarea { width: 100%; box-sizing: border-box; font: inherit; }
.review .buttons { margin-top: 0.3rem; }
.review button, .review-login button, .review-filter button { font: inherit; padding: 0.35rem 0.9rem; }
.review-login input { max-width: 100%; box-sizing: border-box; font: inherit; padding: 0.35rem; }
.review-filter select { max-width: 100%; }
.decided { background: #e3f1e8; padding: 0.4rem 0.6rem; border-radius: 4px; }
form.inline { display: inline; }
/* A phone: facets go below the results instead of squeezing them. */
@media (max-width: 48rem) {
  main { padding: 0.8rem; }
  .layout { grid-template-columns: minmax(0, 1fr); }
  .layout aside { order: 2; }
  form.search input[type=text] { width: 100%; box-sizing: border-box; }
  table { display: block; overflow-x: auto; }
  .review dl { grid-template-columns: minmax(0, 1fr); }
}
"#;

/// A whole page: title, navigation, body.
pub fn page(title: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · HCS Research Index" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    strong { a href="/" { "HCS Research Index" } }
                    nav aria-label="Main" {
                        @for (href, label) in NAVIGATION {
                            a href=(href) { (label) }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
    .into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shell_escapes_the_title_and_keeps_the_body() {
        let html = page("<script>x</script> & co", html! { p { "kept" } });
        assert!(
            html.starts_with("<!DOCTYPE html><html lang=\"en\">"),
            "{html}"
        );
        assert!(html.contains(
            "<title>&lt;script&gt;x&lt;/script&gt; &amp; co · HCS Research Index</title>"
        ));
        assert!(html.contains("<main><p>kept</p></main>"));
        assert!(html.contains(r#"<a href="/review">Review</a></nav></header>"#));
        assert!(html.contains("@media (max-width: 48rem) {"));
    }
}
