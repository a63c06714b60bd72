//! The rule catalog and each rule's page, from the same declarations as `accord rules`:
//! compatibility rules (`compat::catalog`) and governance rules (`contract::governance`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use maud::html;

use super::{PageResult, Section, markdown, ok, problem};
use crate::api::AppState;
use crate::compat::catalog;
use crate::contract::governance;

pub async fn list(State(_): State<AppState>) -> PageResult {
    ok(
        Section::Rules,
        "Rules",
        html! {
            p { "Every change accord reports, and every governance rule a policy can turn on." }
            table #rules {
                caption { "Compatibility rules" }
                thead { tr {
                    th scope="col" { "Code" } th scope="col" { "Name" } th scope="col" { "Format" }
                    th scope="col" { "Bump" } th scope="col" { "What it reports" }
                } }
                tbody { @for r in catalog::RULES {
                    tr {
                        td { a href=(format!("/ui/rules/{}", r.code)) { (r.code) } }
                        td { (r.name) } td { (r.format.dir()) } td { (r.bump.name()) }
                        td { (r.summary) }
                    }
                } }
            }
            table {
                caption { "Governance rules" }
                thead { tr {
                    th scope="col" { "Code" } th scope="col" { "Name" }
                    th scope="col" { "Default severity" } th scope="col" { "What it checks" }
                } }
                tbody { @for r in governance::RULES.iter() {
                    tr {
                        td { a href=(format!("/ui/rules/{}", r.code)) { (r.code) } }
                        td { (r.name) } td { (r.default_severity.name()) } td { (r.summary) }
                    }
                } }
            }
        },
    )
}

pub async fn rule(State(_): State<AppState>, Path(code): Path<String>) -> PageResult {
    let (title, doc) = match (catalog::find(&code), governance::find(&code)) {
        (Some(r), _) => (format!("{} {}", r.code, r.name), r.doc),
        (None, Some(r)) => (format!("{} {}", r.code, r.name), r.doc),
        (None, None) => {
            return Err(problem(
                Section::Rules,
                StatusCode::NOT_FOUND,
                &format!("No rule has the code or name `{code}`."),
            ));
        }
    };
    ok(
        Section::Rules,
        &title,
        html! {
            p { a href="/ui/rules" { "All rules" } }
            article.prose { (markdown(doc)) }
        },
    )
}
