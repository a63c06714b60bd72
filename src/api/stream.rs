//! Long answers written as they are made: a JSON array rendered a page at a time, each page a
//! job of its own in the work queue, so that memory holds a page or two (the channel's) rather
//! than the whole answer, and other requests take turns with it.

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::resources::blocking_continued;
use crate::registry::Registry;

/// Pages rendered ahead of what the client has read.
const PAGES_AHEAD: usize = 2;

/// A JSON array of the items `render` makes from each page: its items, comma-separated and
/// without brackets (nothing for none). A failure part-way ends the answer early, which the
/// client sees as a JSON document cut short: the status was sent with the first page.
pub(super) fn json_array<P: Send + 'static>(
    state: AppState,
    pages: Vec<P>,
    render: impl Fn(&Registry, P) -> Vec<u8> + Send + Sync + Clone + 'static,
) -> Response {
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(PAGES_AHEAD);
    tokio::spawn(async move {
        let mut opened = false;
        for page in pages {
            let render = render.clone();
            let items = match blocking_continued(&state, move |registry| Ok(render(registry, page)))
                .await
            {
                Ok(items) if items.is_empty() => continue,
                Ok(items) => items,
                Err(e) => {
                    let _ = sender.send(Err(std::io::Error::other(e.message))).await;
                    return;
                }
            };
            let mut chunk = Vec::with_capacity(items.len() + 1);
            chunk.push(if opened { b',' } else { b'[' });
            opened = true;
            chunk.extend_from_slice(&items);
            if sender.send(Ok(chunk.into())).await.is_err() {
                return; // the client went away
            }
        }
        let end: &'static [u8] = if opened { b"]" } else { b"[]" };
        let _ = sender.send(Ok(Bytes::from_static(end))).await;
    });
    let body = Body::from_stream(futures_util::stream::poll_fn(move |cx| {
        receiver.poll_recv(cx)
    }));
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}
