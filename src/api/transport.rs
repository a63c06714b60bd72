//! The connection under hyper. hyper answers a request it cannot parse (400), a URL too long
//! (414) and headers too large (431) itself, before any service sees the request, with an empty
//! body, and hyper 1.x offers no hook to change that answer. [`EnvelopedErrors`] recognises
//! those answers as they are written and gives them the JSON envelope every other error has.
//! With TLS, [`accept_tls`] is the handshake under it.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use super::code;
use super::types::{ErrorBody, ErrorCode};

/// A connection whose automatic hyper error answers carry the JSON envelope.
#[derive(Debug)]
pub struct EnvelopedErrors<T> {
    inner: T,
    /// An enveloped answer being written in place of hyper's: what is left of it, and the
    /// length of hyper's answer, reported as written once all of it is.
    replacing: Option<(Vec<u8>, usize)>,
}

impl<T> EnvelopedErrors<T> {
    pub fn new(inner: T) -> Self {
        EnvelopedErrors {
            inner,
            replacing: None,
        }
    }
}

impl<T: AsyncWrite + Unpin> EnvelopedErrors<T> {
    /// Writes the replacement answer under way; then reports hyper's answer written.
    fn poll_replacing(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let Some((rest, answered)) = self.replacing.as_mut() else {
            unreachable!("called only while replacing");
        };
        while !rest.is_empty() {
            match ready!(Pin::new(&mut self.inner).poll_write(cx, rest))? {
                0 => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                n => {
                    rest.drain(..n);
                }
            }
        }
        let answered = *answered;
        self.replacing = None;
        Poll::Ready(Ok(answered))
    }

    fn start_replacing(&mut self, buf: &[u8]) -> bool {
        match enveloped(buf) {
            Some(answer) => {
                self.replacing = Some((answer, buf.len()));
                true
            }
            None => false,
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for EnvelopedErrors<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for EnvelopedErrors<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.replacing.is_some() || this.start_replacing(buf) {
            return this.poll_replacing(cx);
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        // hyper's automatic answer is a head alone, written in one piece.
        let mut parts = bufs.iter().filter(|b| !b.is_empty());
        let alone = match (parts.next(), parts.next()) {
            (Some(head), None) => Some(head),
            _ => None,
        };
        if this.replacing.is_some() || alone.is_some_and(|head| this.start_replacing(head)) {
            return this.poll_replacing(cx);
        }
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// hyper's automatic answer, if `head` is one, with the envelope as its body. Every answer the
/// API itself gives to an error has a body, so an empty 400, 414 or 431 is hyper's.
fn enveloped(head: &[u8]) -> Option<Vec<u8>> {
    // Every write passes here: most are told apart by their first bytes or their length.
    if head.len() > 512 || !head.starts_with(b"HTTP/1.1 4") {
        return None;
    }
    let text = std::str::from_utf8(head).ok()?;
    let lines = text.strip_suffix("\r\n\r\n")?;
    let (status_line, headers) = lines.split_once("\r\n")?;
    let (code, message) = match status_line.split(' ').nth(1)? {
        "400" => (
            code::BAD_REQUEST,
            "the request is not valid HTTP/1.1: its request line or a header is malformed (a header name or value with a control character, say)",
        ),
        "414" => (
            code::URI_TOO_LONG,
            "the request's URL is longer than the server reads (64 KiB)",
        ),
        "431" => (
            code::HEADERS_TOO_LARGE,
            "the request's headers are larger than the server reads (at most 100 headers, and about 400 KiB in all)",
        ),
        _ => return None,
    };
    let headers: Vec<&str> = headers.split("\r\n").collect();
    if !headers
        .iter()
        .any(|h| h.eq_ignore_ascii_case("content-length: 0"))
    {
        return None;
    }
    let kept = headers
        .into_iter()
        .filter(|h| !h.eq_ignore_ascii_case("content-length: 0"));
    Some(answer(status_line, kept, code, message))
}

/// A whole HTTP/1.1 answer: the status line, the headers given, and the JSON envelope.
fn answer<'a>(
    status_line: &str,
    headers: impl Iterator<Item = &'a str>,
    code: u32,
    message: &str,
) -> Vec<u8> {
    let body = serde_json::to_vec(&ErrorBody {
        error_code: ErrorCode::Number(code),
        message: message.into(),
    })
    .expect("an error body serializes");
    let mut answer = format!("{status_line}\r\n");
    for header in headers {
        answer.push_str(header);
        answer.push_str("\r\n");
    }
    answer.push_str(&format!(
        "content-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    ));
    let mut answer = answer.into_bytes();
    answer.extend_from_slice(&body);
    answer
}

/// The TLS handshake of a new connection, within `timeout`. A client that speaks plain HTTP to
/// the HTTPS port (a URL with `http://` where `https://` was meant) is told so in the envelope
/// rather than left with a closed connection; `None` when there is no TLS connection to serve.
pub async fn accept_tls(
    acceptor: &TlsAcceptor,
    stream: TcpStream,
    timeout: Duration,
) -> Option<TlsStream<TcpStream>> {
    let handshake = async {
        let mut first = [0u8; 1];
        stream.peek(&mut first).await?;
        // Every TLS connection opens with a handshake record (content type 22).
        if first[0] != 0x16 && first[0].is_ascii_alphabetic() {
            let mut stream = stream;
            let answer = answer(
                "HTTP/1.1 400 Bad Request",
                ["connection: close"].into_iter(),
                code::BAD_REQUEST,
                "this server speaks HTTPS: send the request to its https:// URL",
            );
            stream.write_all(&answer).await?;
            stream.shutdown().await?;
            return Ok(None);
        }
        acceptor.accept(stream).await.map(Some)
    };
    match tokio::time::timeout(timeout, handshake).await {
        Ok(Ok(tls)) => tls,
        Ok(Err(e)) => {
            tracing::debug!(error = %e, "TLS handshake failed");
            None
        }
        Err(_) => {
            tracing::debug!("TLS handshake timed out");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyper_s_empty_answers_get_the_envelope_and_others_pass_untouched() {
        let head = b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\ndate: Mon, 30 Nov 2026 07:00:00 GMT\r\n\r\n";
        let answer = String::from_utf8(enveloped(head).unwrap()).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 431 "), "{head}");
        assert!(head.contains("\r\nconnection: close\r\n"), "{head}");
        assert!(head.contains("content-type: application/json"), "{head}");
        assert!(
            head.ends_with(&format!("content-length: {}", body.len())),
            "{head}"
        );
        let body: ErrorBody = serde_json::from_str(body).unwrap();
        assert_eq!(body.error_code, ErrorCode::Number(431));

        for untouched in [
            &b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"[..],
            b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 42\r\n\r\n",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n{\"partial",
            b"\xff\xfe",
        ] {
            assert_eq!(enveloped(untouched), None);
        }
    }
}
