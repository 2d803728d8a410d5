//! Whose request is it: the one answer the console's sign-in throttle and the webhooks'
//! refusal limit both use (security code, written once).
//!
//! Without `trusted_proxy_header` it is the connection's address. Behind a reverse proxy that
//! header is read — and only the address the proxy itself appended counts: the rightmost entry
//! of a comma-separated list (`X-Forwarded-For: <what the client sent>, <what the proxy saw>`).
//! Anything to its left was written by the client and could name anyone. A request whose header
//! is missing or unreadable fails closed: it counts as the connection's address (the proxy's),
//! so a client cannot slip out of the limits by sending garbage.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap};

/// The client's address: the trusted proxy's rightmost entry in `proxy_header`, else the
/// connection's address (`None` only when neither is known, as in tests without a socket).
pub fn client_address(
    headers: &HeaderMap,
    extensions: &Extensions,
    proxy_header: Option<&str>,
) -> Option<IpAddr> {
    let connection = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let Some(header) = proxy_header else {
        return connection;
    };
    match forwarded(headers, header) {
        Some(address) => Some(address),
        None => {
            if connection.is_some() {
                tracing::debug!(
                    header,
                    "no readable client address from the trusted proxy: counting the connection's"
                );
            }
            connection
        }
    }
}

/// The rightmost address of `header` (the one the trusted proxy appended).
fn forwarded(headers: &HeaderMap, header: &str) -> Option<IpAddr> {
    let value = headers.get_all(header).iter().next_back()?.to_str().ok()?;
    let last = value.rsplit(',').next()?.trim();
    last.parse::<IpAddr>()
        .ok()
        .or_else(|| last.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(forwarded_for: &[&str]) -> (HeaderMap, Extensions) {
        let mut headers = HeaderMap::new();
        for value in forwarded_for {
            headers.append("x-forwarded-for", value.parse().expect("a header value"));
        }
        let mut extensions = Extensions::new();
        extensions.insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 443))));
        (headers, extensions)
    }

    fn ip(text: &str) -> Option<IpAddr> {
        text.parse().ok()
    }

    #[test]
    fn the_connection_counts_without_a_trusted_proxy() {
        let (headers, extensions) = request(&["203.0.113.9"]);
        assert_eq!(client_address(&headers, &extensions, None), ip("10.0.0.1"));
    }

    #[test]
    fn only_what_the_proxy_appended_counts() {
        let proxy = Some("X-Forwarded-For");
        let (headers, extensions) = request(&["198.51.100.7, 203.0.113.9"]);
        assert_eq!(
            client_address(&headers, &extensions, proxy),
            ip("203.0.113.9"),
            "the leftmost entry is the client's own claim"
        );
        let (headers, extensions) = request(&["198.51.100.7", "203.0.113.9"]);
        assert_eq!(
            client_address(&headers, &extensions, proxy),
            ip("203.0.113.9")
        );
        let (headers, extensions) = request(&["2001:db8::1"]);
        assert_eq!(
            client_address(&headers, &extensions, proxy),
            ip("2001:db8::1")
        );
    }

    #[test]
    fn a_missing_or_garbage_header_fails_closed_to_the_connection() {
        let proxy = Some("X-Forwarded-For");
        for sent in [&[][..], &["not-an-address"][..], &["203.0.113.9, junk"][..]] {
            let (headers, extensions) = request(sent);
            assert_eq!(
                client_address(&headers, &extensions, proxy),
                ip("10.0.0.1"),
                "{sent:?}"
            );
        }
    }
}
