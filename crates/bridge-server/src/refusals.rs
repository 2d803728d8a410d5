//! JSON bodies for the refusals hyper writes itself.
//!
//! A request hyper cannot parse (a malformed request line, a URI or headers over its limits) is
//! answered by hyper before it reaches the router, with an empty body: `400`, `414` or `431` and
//! `content-length: 0`. Every other refusal of the bridge is JSON (`error::json_errors`), so a
//! client always reads the same shape. [`JsonRefusals`] wraps a connection's stream and rewrites
//! exactly those answers — a 4xx head with `content-length: 0`, no `content-type` and nothing
//! after it — into the JSON shape. The router's own answers always carry a `content-type` and
//! pass through untouched.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A connection's stream, with hyper's empty refusals given JSON bodies.
pub struct JsonRefusals<S> {
    inner: S,
    /// A rewritten answer still to be written.
    pending: Vec<u8>,
    written: usize,
}

impl<S> JsonRefusals<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        JsonRefusals {
            inner,
            pending: Vec::new(),
            written: 0,
        }
    }
}

impl<S: AsyncWrite + Unpin> JsonRefusals<S> {
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n =
                ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.pending.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for JsonRefusals<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for JsonRefusals<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.drain(cx))?;
        if let Some(answer) = with_json_body(buf) {
            self.pending = answer;
            self.written = 0;
            // Written now if the socket takes it, else by the flush hyper does next.
            if let Poll::Ready(Err(error)) = self.drain(cx) {
                return Poll::Ready(Err(error));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// hyper's empty refusal `head`, rewritten with a JSON body; `None` for anything else.
fn with_json_body(head: &[u8]) -> Option<Vec<u8>> {
    let end = head.windows(4).position(|w| w == b"\r\n\r\n")?;
    if end + 4 != head.len() {
        return None;
    }
    let text = std::str::from_utf8(&head[..end]).ok()?;
    let mut lines = text.split("\r\n");
    let status_line = lines.next()?;
    let status: u16 = status_line
        .strip_prefix("HTTP/1.1 ")
        .or_else(|| status_line.strip_prefix("HTTP/1.0 "))?
        .get(..3)?
        .parse()
        .ok()?;
    if !(400..500).contains(&status) {
        return None;
    }
    let headers: Vec<&str> = lines.collect();
    let named = |line: &str, name: &str| {
        line.split_once(':')
            .is_some_and(|(key, _)| key.trim().eq_ignore_ascii_case(name))
    };
    let empty = headers.iter().any(|line| {
        named(line, "content-length") && line.split_once(':').is_some_and(|(_, v)| v.trim() == "0")
    });
    if !empty || headers.iter().any(|line| named(line, "content-type")) {
        return None;
    }
    let (code, message) = match status {
        400 => ("bad_request", "the request is not valid HTTP"),
        414 => ("uri_too_long", "the request URI is too long"),
        431 => ("headers_too_large", "the request headers are too large"),
        _ => ("bad_request", "the request was refused"),
    };
    let body = serde_json::json!({ "error": { "code": code, "message": message } }).to_string();
    let mut answer = String::with_capacity(end + body.len() + 64);
    answer.push_str(status_line);
    answer.push_str("\r\n");
    for line in headers.iter().filter(|line| !named(line, "content-length")) {
        answer.push_str(line);
        answer.push_str("\r\n");
    }
    answer.push_str("content-type: application/json\r\n");
    answer.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    answer.push_str(&body);
    Some(answer.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::with_json_body;

    #[test]
    fn only_empty_refusals_are_rewritten() {
        let hyper_431 = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Mon, 23 Nov 2026 10:00:00 GMT\r\n\r\n";
        let answer =
            String::from_utf8(with_json_body(hyper_431).expect("rewritten")).expect("utf-8");
        assert!(answer.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
        assert!(answer.contains("content-type: application/json\r\n"));
        assert!(answer.contains("date: Mon, 23 Nov 2026"));
        assert!(answer.ends_with(r#"{"error":{"code":"headers_too_large","message":"the request headers are too large"}}"#));
        let body_len = answer.split("\r\n\r\n").nth(1).map(str::len).expect("body");
        assert!(answer.contains(&format!("content-length: {body_len}\r\n")));

        for untouched in [
            &b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"[..],
            b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n{}",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n",
            b"{\"orders\": []}",
        ] {
            assert_eq!(with_json_body(untouched), None, "{}", String::from_utf8_lossy(untouched));
        }
    }
}
