//! The page shell every page shares (skip link, header with the navigation, main landmark,
//! footer with the disclaimer's short form) and the pieces several pages use: the triage
//! banner and the error page. maud escapes every interpolated string, so text from the
//! knowledge base or the runner's own notes can never become markup.

use axum::http::StatusCode;
use maud::{html, Markup, DOCTYPE};

use crate::security::CSRF_FIELD;
use hamstride_service::Kb;

/// Which navigation entry is the current page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Today,
    Assess,
    Plan,
    Diary,
    Past,
    Import,
    Settings,
    None,
}

/// A whole page: `title` is the page's `<title>` and its one `<h1>` comes from `body`.
pub fn page(title: &str, nav: Nav, body: Markup) -> Markup {
    let item = |href: &str, label: &str, me: Nav| {
        html! {
            li { a href=(href) aria-current=[(nav == me).then_some("page")] { (label) } }
        }
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · hamstride" }
                link rel="stylesheet" href="/assets/style.css";
                script src="/assets/app.js" defer {}
            }
            body {
                a.skip href="#main" { "Skip to the content" }
                header.top {
                    a.brand href="/" { "hamstride" }
                    nav aria-label="Main" {
                        ul {
                            (item("/", "Today", Nav::Today))
                            (item("/assess", "Check my pain", Nav::Assess))
                            (item("/plan", "Plan", Nav::Plan))
                            (item("/diary", "Diary", Nav::Diary))
                            (item("/assessments", "Results", Nav::Past))
                        }
                    }
                }
                main #main tabindex="-1" { (body) }
                footer.foot {
                    p { "Educational information, not a diagnosis. Your answers stay on this computer." }
                    // Import lives here: a sixth entry would wrap the navigation to two rows at 375 px.
                    p {
                        a href="/import" aria-current=[(nav == Nav::Import).then_some("page")] { "Import runs" }
                        " · "
                        a href="/settings" aria-current=[(nav == Nav::Settings).then_some("page")] { "Settings" }
                    }
                }
            }
        }
    }
}

/// The hidden CSRF field every form carries.
pub fn csrf(token: &str) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(token); }
}

/// The CSS class of a triage level, by its id (`emergency`, `urgent`, `clinician`,
/// `self_care`): colour only, the words say the level too.
pub fn level_class(level_id: &str) -> &'static str {
    match level_id {
        "emergency" => "lvl-emergency",
        "urgent" => "lvl-urgent",
        "clinician" => "lvl-clinician",
        _ => "lvl-self",
    }
}

/// The triage banner: the level's title and what to do now.
pub fn banner(level_id: &str, title: &str, headline: &str) -> Markup {
    html! {
        section.banner.(level_class(level_id)) aria-labelledby="banner-title" data-level=(level_id) {
            p.level #banner-title { (title) }
            p.headline { (headline) }
        }
    }
}

/// An error page: what happened and what to do, announced to screen readers.
pub fn error_page(status: StatusCode, title: &str, message: &str) -> Markup {
    let body = html! {
        h1 { (title) }
        div.error role="alert" aria-live="assertive" { p { (message) } }
        @if status == StatusCode::FORBIDDEN && message.contains("hamstride serve") {
            p { "For your privacy, hamstride only opens from the address it printed when it started (it has a secret in it). Copy that whole line from the terminal into your browser." }
        } @else if status != StatusCode::MISDIRECTED_REQUEST && status != StatusCode::FORBIDDEN {
            p { a href="/" { "Back to today" } }
        }
        p.status { "(HTTP " (status.as_u16()) ")" }
    };
    page(title, Nav::None, body)
}

/// The emergency numbers as tap-to-call links, for an emergency result: the knowledge base's
/// list (`meta.toml`'s `[emergency]`, checked to be digits), each with where it answers.
pub fn emergency_numbers(kb: &Kb) -> Markup {
    let numbers = &kb.emergency.number;
    html! {
        p.call {
            "Call your emergency number now: "
            @for (i, n) in numbers.iter().enumerate() {
                a href={ "tel:" (n.number) } { (n.number) } " (" (n.area) ")"
                (if i + 1 < numbers.len() { ", " } else { "." })
            }
        }
    }
}
