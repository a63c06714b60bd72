//! Data products: the catalog, a product's page (its majors on a timeline, publications,
//! notices, consumers, contract and audit), and the notices across every product.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use maud::{Markup, html};

use super::subjects::Search;
use super::{PageResult, Section, failed, ok, problem, render, search_box};
use crate::api::AppState;
use crate::api::catalog::search_entries;
use crate::api::products::{notice_view, status_of};
use crate::api::types::segment;
use crate::api::types::{MajorStatus, NoticeView};
use crate::registry::date;

/// Audit entries a product's page shows, newest first.
const AUDIT_SHOWN: usize = 50;

pub async fn catalog(
    State(state): State<AppState>,
    Query(search): Query<Search>,
    headers: HeaderMap,
) -> PageResult {
    render(state, 0, Section::Products, move |state| {
        catalog_page(state, search, headers)
    })
    .await
}

fn catalog_page(state: &AppState, search: Search, headers: HeaderMap) -> PageResult {
    let entries = search_entries(state, &headers, &search.q, None, None);
    ok(
        Section::Products,
        "Data products",
        html! {
            (search_box("Search by name, domain, owner, tag or column", "products", &search.q))
            @if entries.is_empty() {
                p { "No data product matches." }
            } @else {
                table #products {
                    caption { (entries.len()) " data products" }
                    thead { tr {
                        th scope="col" { "Product" } th scope="col" { "Domain" }
                        th scope="col" { "Owner" } th scope="col" { "Latest" }
                        th scope="col" { "Tags" } th scope="col" { "Columns" }
                    } }
                    tbody {
                        @for e in &entries {
                            tr {
                                td {
                                    a href=(format!("/ui/products/{}", segment(&e.name))) { (e.name) }
                                    @if let Some(d) = &e.description { br; small { (d) } }
                                }
                                td { (e.domain) }
                                td { (e.owner) }
                                td { (e.version.as_deref().unwrap_or("unpublished")) }
                                td { (e.tags.join(", ")) }
                                td.columns { (e.columns.join(", ")) }
                            }
                        }
                    }
                }
            }
        },
    )
}

pub async fn product(State(state): State<AppState>, Path(name): Path<String>) -> PageResult {
    render(state, 0, Section::Products, move |state| {
        product_page(state, name)
    })
    .await
}

fn product_page(state: &AppState, name: String) -> PageResult {
    let fail = failed(Section::Products);
    let ps = state.registry.product(&name).map_err(&fail)?;
    let status =
        status_of(state, &ps).map_err(|e| problem(Section::Products, e.status, &e.message))?;
    let audit = state
        .registry
        .audit(
            &name,
            ps.audit_len.checked_sub(AUDIT_SHOWN as u64 + 1),
            AUDIT_SHOWN,
        )
        .map_err(&fail)?;
    let manifest = ps
        .publications
        .iter()
        .rev()
        .find_map(|p| p.manifest.as_deref())
        .or(ps.product.manifest.as_deref());
    // Consumers on a line that is no longer the newest still have to move.
    let newest = status.majors.last().map(|m| m.line.clone());
    let migrating: Vec<(&MajorStatus, &String)> = status
        .majors
        .iter()
        .filter(|m| Some(&m.line) != newest.as_ref())
        .flat_map(|m| m.consumers.iter().map(move |c| (m, c)))
        .collect();
    ok(
        Section::Products,
        &name,
        html! {
            dl {
                dt { "Domain" } dd { (status.domain) }
                dt { "Owner" } dd { (status.owner) }
                dt { "Level" } dd { (status.compatibility) }
                dt { "Notice and overlap" } dd { (status.notice_days) " days' notice, " (status.overlap_days) " days' overlap" }
                dt { "Subjects" } dd { @for (i, s) in status.subjects.iter().enumerate() {
                    @if i > 0 { ", " } a href=(format!("/ui/subjects/{}", segment(s))) { (s) } } }
            }
            h2 { "Majors" }
            ol.timeline aria-label="Majors, oldest first" {
                @for m in &status.majors { li { (major(m)) } }
            }
            @if !migrating.is_empty() {
                h2 { "Still to migrate" }
                ul { @for (m, c) in &migrating {
                    li { strong { (c) } " is on major " (m.line) " (" (m.state)
                        @if let Some(days) = m.days_left { ", " (days) " days to its sunset" } ")" }
                } }
            }
            h2 { "Notices" }
            (notices_table(&status.notices, false))
            h2 { "Publications" }
            table {
                thead { tr {
                    th scope="col" { "Version" } th scope="col" { "Published" }
                    th scope="col" { "By" } th scope="col" { "Schemas" }
                } }
                tbody { @for p in ps.publications.iter().rev() {
                    tr {
                        td { (p.version) } td { (date(p.ts)) } td { (p.actor) }
                        td { @for (subject, s) in &p.schemas {
                            a href=(format!("/ui/subjects/{}/versions/{}", segment(subject), s.version)) {
                                (subject) " v" (s.version) }
                            " "
                        } }
                    }
                } }
            }
            h2 { "Consumers" }
            @if ps.consumers.is_empty() {
                p { "No consumer is registered." }
            } @else {
                table {
                    thead { tr {
                        th scope="col" { "Consumer" } th scope="col" { "Domain" }
                        th scope="col" { "Major" } th scope="col" { "Contact" }
                    } }
                    tbody { @for c in ps.consumers.values() {
                        tr { td { (c.name) } td { (c.domain) } td { (c.major) } td { (c.contact) } }
                    } }
                }
            }
            @if let Some(text) = manifest {
                h2 { "Contract, as the team wrote it" }
                pre.schema tabindex="0" aria-label="Contract" { code { (text) } }
            }
            h2 { "Audit" }
            table {
                thead { tr {
                    th scope="col" { "When" } th scope="col" { "Who" } th scope="col" { "What" }
                    th scope="col" { "Decision" }
                } }
                tbody { @for (_, e) in audit.iter().rev() {
                    tr {
                        td { (date(e.ts)) } td { (e.actor) }
                        td { (e.action) @if let Some(v) = &e.version { " " (v) } ": " (e.message) }
                        td { @if e.accepted { "accepted" } @else { "refused" } }
                    }
                } }
            }
        },
    )
}

fn major(m: &MajorStatus) -> Markup {
    html! {
        span.badge.(m.state.as_str()) { (m.state) }
        " " strong { "major " (m.line) } ", latest " (m.latest)
        @if let Some(sunset) = m.sunset {
            ", sunset " time datetime=(sunset.to_string()) { (date(sunset)) }
            @if let Some(days) = m.days_left { " (" (days) " days left)" }
        }
        @if m.held { ", held for its consumers" }
        @if !m.consumers.is_empty() { br; small { "Consumers: " (m.consumers.join(", ")) } }
    }
}

fn notices_table(notices: &[NoticeView], with_product: bool) -> Markup {
    html! {
        @if notices.is_empty() {
            p { "None." }
        } @else {
            table {
                thead { tr {
                    @if with_product { th scope="col" { "Product" } }
                    th scope="col" { "Major" } th scope="col" { "Effective" }
                    th scope="col" { "Announced" } th scope="col" { "What breaks" }
                } }
                tbody { @for n in notices {
                    tr {
                        @if with_product { td { a href=(format!("/ui/products/{}", segment(&n.product))) { (n.product) } } }
                        td { (n.major) }
                        td { time datetime=(n.effective.to_string()) { (date(n.effective)) } }
                        td { (date(n.announced)) " by " (n.actor) }
                        td { (n.summary) }
                    }
                } }
            }
        }
    }
}

pub async fn notices(State(state): State<AppState>) -> PageResult {
    render(state, 0, Section::Notices, notices_page).await
}

fn notices_page(state: &AppState) -> PageResult {
    let notices = state
        .registry
        .notices(None, None, false)
        .map_err(failed(Section::Notices))?;
    let mut views: Vec<NoticeView> = notices.iter().map(notice_view).collect();
    views.sort_by_key(|n| std::cmp::Reverse(n.announced));
    ok(
        Section::Notices,
        "Upcoming breaking changes",
        html! {
            p { "Newest first, across every data product. Follow them in a feed reader: "
                a href="/v1/notices.atom" { "the Atom feed" } "." }
            (notices_table(&views, true))
        },
    )
}
