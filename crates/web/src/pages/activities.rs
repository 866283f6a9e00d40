//! The runner's activities: the list (`GET /activities`, the terminal's `hamstride
//! activities`) with filters, and one activity's page (`GET /activities/{id}`).
//!
//! The filters are a plain GET form (sport, first and last day, shortest distance, units), so
//! they work without JavaScript, can be bookmarked, and a bad value is a 400 page naming the
//! field. The list comes a page at a time from `Service::activity_list`, newest first: ten
//! years of runs are 3,500 rows, too many for one phone screen.
//!
//! The activity page is `Service::activity_view`: the title line, one chart per measure the
//! file recorded (pace, heart rate, cadence, height, power, running form), each with its words
//! and a data table (`view::measures`, the report's chart code), a plain sentence for a
//! measure the file does not have, and the load flags about this run and its week in the
//! words of `status`. Distances are in the runner's units; `?units=mi` (or `km`) overrides
//! them for one page.

use axum::extract::{Path, RawQuery, State};
use hamstride_service::activity::ActivityFilter;
use hamstride_service::plans::Now;
use hamstride_service::view::{
    measures, words, ActivityListView, ActivityView, Channel, Level, FORM_MISSING,
};
use maud::{html, Markup, PreEscaped};

use crate::form::Form;
use crate::html::{page, Nav};
use crate::pages::id_of;
use crate::{Shared, WebError};

/// The longest sport name the filter takes (the vocabulary's are a few words).
const MAX_SPORT_CHARS: usize = 64;

/// The largest "at least" distance the filter takes, in km or miles: longer than any run.
const MAX_MIN_DISTANCE: f64 = 10_000.0;

fn units_of(name: &str) -> words::Units {
    if name == "mi" {
        words::Units::Mi
    } else {
        words::Units::Km
    }
}

/// `?units=km|mi`: the override, or a 400 naming `units`.
fn units_override(q: &Form) -> Result<Option<&'static str>, WebError> {
    match q.get("units") {
        None => Ok(None),
        Some("km") => Ok(Some("km")),
        Some("mi") => Ok(Some("mi")),
        Some(other) => Err(WebError::input(
            "units",
            format!("\"{other}\" is not km or mi"),
        )),
    }
}

fn date_field(q: &Form, name: &str) -> Result<Option<jiff::civil::Date>, WebError> {
    q.get(name)
        .map(|d| {
            d.parse::<jiff::civil::Date>()
                .map_err(|_| WebError::input(name, format!("\"{d}\" is not a date (YYYY-MM-DD)")))
        })
        .transpose()
}

/// The list's query as typed (echoed back into the form) and as a filter.
struct Query {
    sport: Option<String>,
    from: Option<String>,
    to: Option<String>,
    min: Option<String>,
    units: Option<&'static str>,
    filter: ActivityFilter,
    /// The shortest distance in the display unit, converted once the units are known.
    min_value: Option<f64>,
}

fn parse_query(raw: Option<&str>) -> Result<Query, WebError> {
    let q = Form::parse(raw.unwrap_or("").as_bytes());
    let units = units_override(&q)?;
    let sport = q.get("sport").map(str::to_string);
    if let Some(s) = &sport {
        if s.chars().count() > MAX_SPORT_CHARS || s.chars().any(char::is_control) {
            return Err(WebError::input("sport", "is not one of the sports listed"));
        }
    }
    let from = date_field(&q, "from")?;
    let to = date_field(&q, "to")?;
    let min_value = q
        .get("min")
        .map(|m| match m.parse::<f64>() {
            Ok(v) if v.is_finite() && (0.0..=MAX_MIN_DISTANCE).contains(&v) => Ok(v),
            _ => Err(WebError::input(
                "min",
                format!("\"{m}\" is not a distance: type a number such as 5 or 10.5"),
            )),
        })
        .transpose()?;
    let page = q
        .get("page")
        .map(|p| match p.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(WebError::input(
                "page",
                format!("\"{p}\" is not a page number (1, 2, 3 …)"),
            )),
        })
        .transpose()?
        .unwrap_or(1);
    Ok(Query {
        sport: sport.clone(),
        from: q.get("from").map(str::to_string),
        to: q.get("to").map(str::to_string),
        min: q.get("min").map(str::to_string),
        units,
        filter: ActivityFilter {
            sport,
            from,
            to,
            min_distance_m: None,
            page,
        },
        min_value,
    })
}

impl Query {
    /// This query's address with another page number.
    fn href(&self, page: usize) -> String {
        self.address(self.units, Some(page), true)
    }

    /// This query's address in other units, from its first page and without the shortest
    /// distance (typed in the other unit, it would silently mean something else).
    fn in_units(&self, units: &str) -> String {
        self.address(Some(units), None, false)
    }

    fn address(&self, units: Option<&str>, page: Option<usize>, min: bool) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("sport", self.sport.as_deref()),
            ("from", self.from.as_deref()),
            ("to", self.to.as_deref()),
            ("min", self.min.as_deref().filter(|_| min)),
            ("units", units),
        ] {
            if let Some(v) = v {
                s.append_pair(k, v);
            }
        }
        if let Some(p) = page {
            s.append_pair("page", &p.to_string());
        }
        format!("/activities?{}", s.finish())
    }
}

/// "2025-11-08 07:02" on the runner's clock (short enough for a phone's table), or "?".
fn when_short(t: Option<jiff::civil::DateTime>) -> String {
    t.map_or_else(
        || "?".to_string(),
        |t| t.strftime("%Y-%m-%d %H:%M").to_string(),
    )
}

/// "Sat 8 Nov 2025, 07:02", or "?" for an activity without a start.
fn when(t: Option<jiff::civil::DateTime>) -> String {
    t.map_or_else(
        || "?".to_string(),
        |t| t.strftime("%a %-d %b %Y, %H:%M").to_string(),
    )
}

/// "Running", "Running (trail)".
fn sport_name(sport: &str, sub: Option<&str>) -> String {
    let mut c = sport.chars();
    let first = c.next().map(|f| f.to_uppercase().collect::<String>());
    let name = format!("{}{}", first.unwrap_or_default(), c.as_str()).replace('_', " ");
    match sub {
        Some(s) => format!("{name} ({})", s.replace('_', " ")),
        None => name,
    }
}

/// `GET /activities`: the runner's activities, filtered, a page at a time.
pub async fn list(State(st): State<Shared>, RawQuery(raw): RawQuery) -> Result<Markup, WebError> {
    let query = parse_query(raw.as_deref())?;
    let over = query.units;
    let (min_value, filter) = (query.min_value, query.filter.clone());
    let view = st
        .with_db(move |svc, db| {
            let mut filter = filter;
            // The shortest distance is typed in the page's unit; the service counts metres.
            if let Some(v) = min_value {
                let unit = match over {
                    Some(u) => u.to_string(),
                    None => hamstride_service::plans::profile(db)?
                        .units
                        .unwrap_or_else(|| "km".into()),
                };
                filter.min_distance_m = Some(units_of(&unit).metres(v));
            }
            Ok(svc.activity_list(db, &filter)?)
        })
        .await?;
    let u = units_of(over.unwrap_or(view.units.as_str()));
    Ok(page(
        "Activities",
        Nav::Import,
        render_list(&view, &query, u),
    ))
}

fn filters(v: &ActivityListView, q: &Query, u: words::Units) -> Markup {
    let sport = q.sport.as_deref().unwrap_or("");
    html! {
        form.filters method="get" action="/activities" aria-labelledby="filters-h" {
            h2 #filters-h { "Find activities" }
            div.fields {
                p {
                    label for="sport" { "Sport" }
                    select #sport name="sport" {
                        option value="" selected[sport.is_empty()] { "All sports" }
                        @for s in &v.sports {
                            option value=(s) selected[s == sport] { (sport_name(s, None)) }
                        }
                    }
                }
                p {
                    label for="from" { "From" }
                    input #from type="date" name="from" value=[q.from.as_deref()];
                }
                p {
                    label for="to" { "To" }
                    input #to type="date" name="to" value=[q.to.as_deref()];
                }
                p {
                    label for="min" { "At least (" (u.dist_unit()) ")" }
                    input #min type="text" inputmode="decimal" name="min" value=[q.min.as_deref()] size="6";
                }
            }
            @if let Some(units) = q.units { input type="hidden" name="units" value=(units); }
            div.row {
                button.primary type="submit" { "Show" }
                a href="/activities" { "Show all" }
            }
        }
    }
}

fn render_list(v: &ActivityListView, q: &Query, u: words::Units) -> Markup {
    let first = (v.page - 1) * v.per_page + 1;
    let last = first + v.rows.len().saturating_sub(1);
    let other = match u {
        words::Units::Km => ("mi", "Show in miles"),
        words::Units::Mi => ("km", "Show in kilometres"),
    };
    let units_q = q.units.map(|x| format!("?units={x}")).unwrap_or_default();
    html! {
        h1 { "Your activities" }
        @if v.total == 0 {
            p { "No activities yet. " a href="/import" { "Import some" } " from your watch or running app." }
        } @else {
            (filters(v, q, u))
            p #count aria-live="polite" {
                @if v.matching == v.total {
                    (plural(v.total, "activity", "activities")) "."
                } @else {
                    (v.matching) " of " (plural(v.total, "activity", "activities")) " match."
                }
                @if v.matching > v.rows.len() { " Showing " (first) "–" (last) ", newest first." }
                " " a href=(q.in_units(other.0)) { (other.1) }
                " · " a href="/import" { "Import more" }
            }
            @if v.rows.is_empty() {
                p { "No activity matches. Try fewer filters, or " a href="/activities" { "show all" } "." }
            } @else {
                // Focusable, so a keyboard can scroll a table wider than a phone.
                div.scroll tabindex="0" role="region" aria-label="Your activities" {
                    table.activities {
                        caption.visually-hidden { "Your activities, newest first" }
                        thead { tr {
                            th scope="col" { "Start and sport" }
                            th scope="col" { "Distance (" (u.dist_unit()) ")" }
                            th scope="col" { "Time" }
                            th scope="col" { "Avg HR" }
                        } }
                        tbody {
                            @for row in &v.rows {
                                @let r = &row.summary;
                                tr {
                                    th scope="row" {
                                        a href={ "/activities/" (r.id) (units_q) } { (when_short(row.start_local)) }
                                        br;
                                        // The sport under the start, not in a column of its own: five
                                        // columns do not fit a 375 px screen.
                                        span.hint {
                                            (sport_name(&r.sport, r.sub_sport.as_deref()))
                                            @if let Some(n) = r.name.as_deref().filter(|n| !n.is_empty()) { " · " (n) }
                                        }
                                    }
                                    td { (r.distance_m.map_or_else(|| "–".to_string(), |d| format!("{:.2}", u.dist(d)))) }
                                    td { (r.timer_s.or(r.elapsed_s).map_or_else(|| "–".to_string(), words::hms)) }
                                    td { (r.avg_heart_rate.map_or_else(|| "–".to_string(), |h| format!("{h:.0}"))) }
                                }
                            }
                        }
                    }
                }
                @if v.pages > 1 {
                    nav.pages aria-label="Pages" {
                        @if v.page > 1 { a rel="prev" href=(q.href(v.page - 1)) { "Newer" } }
                        span { "Page " (v.page) " of " (v.pages) }
                        @if v.page < v.pages { a rel="next" href=(q.href(v.page + 1)) { "Older" } }
                    }
                }
            }
        }
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `GET /activities/{id}`: one activity with its charts and flags.
pub async fn show(
    State(st): State<Shared>,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Markup, WebError> {
    let id = id_of("id", &raw)?;
    let over = units_override(&Form::parse(q.as_deref().unwrap_or("").as_bytes()))?;
    let view = st
        .with_db(move |svc, db| Ok(svc.activity_view(db, id, Now::system())?))
        .await?
        .ok_or_else(|| WebError::NotFound(format!("There is no activity {id}.")))?;
    let u = units_of(over.unwrap_or(view.units.as_str()));
    let title = sport_name(&view.sport, view.sub_sport.as_deref());
    Ok(page(&title, Nav::Import, render_activity(&view, u)))
}

/// A measure's chart with its heading and meaning.
fn measure(v: &ActivityView, ch: Channel, u: words::Units) -> Markup {
    html! {
        section.measure id=(ch.id()) aria-labelledby={ (ch.id()) "-h" } {
            h3 id={ (ch.id()) "-h" } { (ch.label_for(v.samples.running)) }
            p.hint { (ch.meaning()) }
            (PreEscaped(measures::chart(&v.samples, ch, u)))
        }
    }
}

fn render_activity(v: &ActivityView, u: words::Units) -> Markup {
    let s = &v.samples;
    let has = |ch: Channel| s.values(ch).is_some();
    let form: Vec<Channel> = Channel::ALL
        .into_iter()
        .filter(|c| c.is_form() && has(*c))
        .collect();
    let other_units = match u {
        words::Units::Km => ("mi", "Show in miles"),
        words::Units::Mi => ("km", "Show in kilometres"),
    };
    html! {
        p.crumbs { a href="/activities" { "All activities" } }
        h1 {
            (v.name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| sport_name(&v.sport, v.sub_sport.as_deref())))
            span.sub { " " (when(v.start_local)) }
        }
        ul.facts {
            li { strong { "Sport: " } (sport_name(&v.sport, v.sub_sport.as_deref())) }
            li { strong { "Distance: " } (v.distance_m.map_or_else(|| "not recorded".to_string(), |d| format!("{:.2} {}", u.dist(d), u.dist_unit()))) }
            li { strong { "Time: " } (v.duration_s.map_or_else(|| "not recorded".to_string(), words::hms)) }
            li { strong { "Climbed: " } (v.ascent_m.map_or_else(|| "not recorded".to_string(), |a| format!("{:.0} {}", u.elev(a), u.elev_unit()))) }
            @if let Some(h) = v.avg_heart_rate { li { strong { "Average heart rate: " } (format!("{h:.0} bpm")) } }
        }
        p.hint { a href={ "?units=" (other_units.0) } { (other_units.1) } }
        section aria-labelledby="flags-h" {
            h2 #flags-h { "Flags" }
            @if v.flags.is_empty() {
                p { "No load flags for this activity or its week." }
            } @else {
                p.hint { "Links seen in studies of many runners, not forecasts for you. The grade says how strong the evidence is (A is the strongest)." }
                ul.flags {
                    @for f in &v.flags {
                        @let (class, word) = match f.level {
                            Level::Strong => ("flag-strong", "Strong"),
                            Level::Warn => ("flag-warn", "Watch"),
                            Level::Note => ("flag-note", "Note"),
                        };
                        li.(class) { strong { (word) ": " } (words::flag(f, u)) }
                    }
                }
            }
        }
        section aria-labelledby="charts-h" {
            h2 #charts-h { "Over the activity" }
            @if s.records == 0 {
                p { "This file has no points over time, only its totals, so there is nothing to draw." }
            } @else {
                @if s.records > s.elapsed_s.len() {
                    p.hint { "Each point is the average of a short stretch: " (s.elapsed_s.len()) " points from " (s.records) " recorded." }
                }
                @for ch in [Channel::Pace, Channel::HeartRate, Channel::Cadence] {
                    @if has(ch) { (measure(v, ch, u)) } @else { p.missing id=(ch.id()) { (ch.missing()) } }
                }
                @for ch in [Channel::Elevation, Channel::Power] {
                    @if has(ch) { (measure(v, ch, u)) }
                }
            }
        }
        @if s.records > 0 && s.running {
            section aria-labelledby="form-h" {
                h2 #form-h { "Running form" }
                @if form.is_empty() {
                    p.missing #form-missing { (FORM_MISSING) }
                } @else {
                    @for ch in &form { (measure(v, *ch, u)) }
                }
            }
        }
        p { a href="/status" { "Training this week" } " · " a href="/activities" { "All activities" } }
    }
}
