//! The address a request came from. `X-Forwarded-For` is only believed when the peer is a
//! configured trusted proxy (`IMPRINT_TRUSTED_PROXIES`): from anyone else it is a header the
//! caller chose, and throttling by it would let a guesser pick a fresh address per try or
//! pose as someone else to get them throttled.

use std::net::IpAddr;

use actix_web::HttpRequest;

/// One trusted address or CIDR range.
#[derive(Debug, Clone, Copy)]
struct Range {
    network: IpAddr,
    prefix: u8,
}

impl Range {
    fn parse(text: &str) -> anyhow::Result<Range> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let network: IpAddr = address
            .trim()
            .parse()
            .map_err(|_| anyhow::anyhow!("trusted proxy {text:?} is not an IP address"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| anyhow::anyhow!("trusted proxy {text:?} has a bad prefix"))?,
            None => max,
        };
        Ok(Range { network, prefix })
    }

    fn contains(&self, address: IpAddr) -> bool {
        match (self.network, canonical(address)) {
            (IpAddr::V4(net), IpAddr::V4(addr)) => prefix_matches(
                u32::from(net).into(),
                u32::from(addr).into(),
                self.prefix,
                32,
            ),
            (IpAddr::V6(net), IpAddr::V6(addr)) => {
                prefix_matches(u128::from(net), u128::from(addr), self.prefix, 128)
            }
            _ => false,
        }
    }
}

fn prefix_matches(network: u128, address: u128, prefix: u8, bits: u8) -> bool {
    if prefix == 0 {
        return true;
    }
    let shift = u32::from(bits - prefix);
    (network >> shift) == (address >> shift)
}

/// IPv4 peers reached over an IPv6 socket appear as `::ffff:a.b.c.d`.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    ranges: Vec<Range>,
}

impl TrustedProxies {
    /// Parses a comma-separated list of addresses and CIDR ranges; an empty list trusts no one.
    pub fn parse(list: &str) -> anyhow::Result<TrustedProxies> {
        let ranges = list
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(Range::parse)
            .collect::<anyhow::Result<_>>()?;
        Ok(TrustedProxies { ranges })
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.ranges.iter().any(|range| range.contains(address))
    }

    /// The client's address: the peer, or behind trusted proxies the rightmost
    /// `X-Forwarded-For` entry that is not itself a trusted proxy. An empty string when the
    /// peer is unknown.
    pub fn client_address(&self, req: &HttpRequest) -> String {
        let Some(peer) = req.peer_addr().map(|a| canonical(a.ip())) else {
            return String::new();
        };
        if !self.trusts(peer) {
            return peer.to_string();
        }
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        let mut client = peer;
        for entry in forwarded.iter().rev() {
            match entry.parse::<IpAddr>() {
                Ok(address) => {
                    client = canonical(address);
                    if !self.trusts(client) {
                        break;
                    }
                }
                // Garbage where an address should be: stop at the last one we could read.
                Err(_) => break,
            }
        }
        client.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_match_by_prefix() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 192.168.1.7, ::1").unwrap();
        assert!(proxies.trusts("10.20.30.40".parse().unwrap()));
        assert!(proxies.trusts("192.168.1.7".parse().unwrap()));
        assert!(!proxies.trusts("192.168.1.8".parse().unwrap()));
        assert!(proxies.trusts("::1".parse().unwrap()));
        assert!(proxies.trusts("::ffff:10.1.1.1".parse().unwrap()));
        assert!(!proxies.trusts("11.0.0.1".parse().unwrap()));
    }

    #[test]
    fn bad_entries_are_refused() {
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.local").is_err());
        assert!(TrustedProxies::parse("").unwrap().ranges.is_empty());
    }
}
