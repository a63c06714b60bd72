//! The web UI at `/ui/`: subjects, diffs, data products, notices and rules, as pages rendered
//! on the server from what the API serves (maud templates, compiled into the binary; one small
//! script for filtering and reading a file into the dry-run form). Access control applies as to
//! the API: a reader sees what a reader may, and a browser is asked for its credentials by the
//! API's own Basic challenge. No page holds a secret: consumers' webhooks and their secrets are
//! never shown.

mod products;
mod rules;
mod subjects;

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::AppState;
use super::error::ApiError;
use crate::registry::RegistryError;

const STYLE: &str = include_str!("assets/style.css");
const SCRIPT: &str = include_str!("assets/app.js");

/// The UI's routes, all under `/ui`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui", get(|| async { Redirect::permanent("/ui/") }))
        .route("/ui/", get(subjects::list))
        .route("/ui/subjects/{subject}", get(subjects::subject))
        .route(
            "/ui/subjects/{subject}/versions/{version}",
            get(subjects::version),
        )
        .route("/ui/subjects/{subject}/diff", get(subjects::diff))
        .route("/ui/subjects/{subject}/check", post(subjects::check))
        .route("/ui/products", get(products::catalog))
        .route("/ui/products/{name}", get(products::product))
        .route("/ui/notices", get(products::notices))
        .route("/ui/rules", get(rules::list))
        .route("/ui/rules/{code}", get(rules::rule))
        .route(
            "/ui/assets/style.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE) }),
        )
        .route(
            "/ui/assets/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", SCRIPT) }),
        )
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// Whether a request comes from a browser that asked for a page: browsers name XHTML in
/// `Accept`; the Java client's default (`text/html, image/gif, ...`) does not.
pub fn wants_page(headers: &HeaderMap) -> bool {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    accept.contains("text/html") && accept.contains("application/xhtml+xml")
}

/// The sections of the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Subjects,
    Products,
    Notices,
    Rules,
}

/// A whole page: navigation, the title as its heading, the body.
fn page(section: Section, title: &str, body: Markup) -> Markup {
    let link = |target: Section, href: &str, label: &str| {
        html! {
            li {
                a href=(href) aria-current=[(section == target).then_some("page")] { (label) }
            }
        }
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · accord" }
                link rel="stylesheet" href="/ui/assets/style.css";
                link rel="alternate" type="application/atom+xml"
                    title="Breaking-change notices" href="/v1/notices.atom";
                script src="/ui/assets/app.js" defer {}
            }
            body {
                a.skip href="#main" { "Skip to the content" }
                header {
                    nav aria-label="Main" {
                        a.brand href="/ui/" { "accord" }
                        ul {
                            (link(Section::Subjects, "/ui/", "Subjects"))
                            (link(Section::Products, "/ui/products", "Products"))
                            (link(Section::Notices, "/ui/notices", "Notices"))
                            (link(Section::Rules, "/ui/rules", "Rules"))
                        }
                    }
                }
                main #main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// A page, answered with its status.
struct Page(StatusCode, Markup);

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        (
            self.0,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            self.1.into_string(),
        )
            .into_response()
    }
}

type PageResult = Result<Page, Page>;

fn ok(section: Section, title: &str, body: Markup) -> PageResult {
    Ok(Page(StatusCode::OK, page(section, title, body)))
}

/// A page that says what is missing or wrong, with the status the API would answer.
fn problem(section: Section, status: StatusCode, message: &str) -> Page {
    let title = status.canonical_reason().unwrap_or("Error");
    Page(
        status,
        page(
            section,
            title,
            html! { p.problem role="alert" { (message) } },
        ),
    )
}

/// A registry error as a page, with the status and message the API answers with (one table
/// from error to status, in `api::error`; a store failure's details go to the log there).
fn failed(section: Section) -> impl Fn(RegistryError) -> Page {
    move |error| {
        let answer = ApiError::from(error);
        problem(section, answer.status, &answer.message)
    }
}

/// Builds a page off the async workers, in a turn of the server's work queue like the API's
/// registry work: pages read the store (a product's audit) and judge schemas (a diff).
async fn render(
    state: AppState,
    bytes: usize,
    section: Section,
    build: impl FnOnce(&AppState) -> PageResult + Send + 'static,
) -> PageResult {
    let turn = state.work.turn(bytes).await.map_err(|_| {
        problem(
            section,
            StatusCode::SERVICE_UNAVAILABLE,
            "The server is busy; try again in a moment.",
        )
    })?;
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
        build(&state)
    })
    .await
    .unwrap_or_else(|e| {
        tracing::error!(error = %e, "building a page failed");
        Err(problem(
            section,
            StatusCode::INTERNAL_SERVER_ERROR,
            "The page could not be built; the details are in the server's log.",
        ))
    })
}

/// A search box that filters the rows of the table with id `table` as one types (the script),
/// and through `?q=` without it.
fn search_box(label: &str, table: &str, query: &str) -> Markup {
    html! {
        form.search role="search" method="get" {
            label for="q" { (label) }
            input #q type="search" name="q" value=(query) data-filter=(table) autocomplete="off";
            button type="submit" { "Search" }
        }
    }
}

/// Markdown (a rule's prose) as HTML.
fn markdown(text: &str) -> Markup {
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, pulldown_cmark::Parser::new(text));
    PreEscaped(out)
}
