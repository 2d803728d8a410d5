//! A port for a bridge that a test starts as a separate process and restarts on the same port.
//!
//! Binding port 0 and handing the number over is racy: the kernel gives the same ephemeral range
//! to every `bind(..:0)` (the simulators of a test running alongside) and to every outgoing
//! connection (database pools, HTTP clients), so between the probe and the bridge's own bind
//! another socket can take the port and the bridge exits with "address in use". Ports are
//! therefore drawn below the ephemeral range, where the kernel never allocates on its own.

use std::net::TcpListener;

use rand::Rng;

/// Linux's default (`net.ipv4.ip_local_port_range`); read from `/proc` where it exists.
const DEFAULT_EPHEMERAL_START: u16 = 32_768;
const LOWEST: u16 = 10_000;

fn ephemeral_start() -> u16 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next()?.parse().ok())
        .filter(|start| *start > LOWEST + 1_000)
        .unwrap_or(DEFAULT_EPHEMERAL_START)
}

/// A port on 127.0.0.1 that was free a moment ago and that the kernel will not hand out to an
/// ephemeral socket. Panics after many tries: a test cannot run without one.
pub fn free_listen_port() -> u16 {
    let end = ephemeral_start();
    let mut rng = rand::rng();
    for _ in 0..1_000 {
        let port = rng.random_range(LOWEST..end);
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port on 127.0.0.1 between {LOWEST} and {end}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_port_is_below_the_ephemeral_range_and_bindable() {
        let port = free_listen_port();
        assert!((LOWEST..ephemeral_start()).contains(&port));
        TcpListener::bind(("127.0.0.1", port)).expect("the port is free");
    }
}
