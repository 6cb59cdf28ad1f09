//! What the benchmark posts: `/api/testImpressions/bulk` bodies as a Node SDK in DEBUG mode
//! sends them, generated up front so that making them costs nothing during the timed phases.
//!
//! The mix aims at what a service sees: a few popular flags and a long tail, keys drawn from a
//! large user base, mostly default-rule evaluations, and a few impressions with properties.

use std::collections::BTreeMap;

use bytes::Bytes;
use imprint_domain::ingest::SdkMetadata;
use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

/// Impressions per posted body: what the issue asks for, and a common SDK flush size.
pub const IMPRESSIONS_PER_BODY: usize = 100;
pub const SDK_VERSION: &str = "nodejs-11.11.2";
pub const IMPRESSIONS_MODE: &str = "DEBUG";
/// SDK instances the bodies appear to come from (machine name and IP headers).
const MACHINES: usize = 16;
pub const PROPERTIES_SHARE: f64 = 0.05;
pub const PROPERTIES: &str = r#"{"plan":"pro"}"#;
pub const LABELS: [(&str, u32); 3] = [
    ("default rule", 80),
    ("in segment beta", 15),
    ("in segment employees", 5),
];

pub struct WorkloadShape {
    pub bodies: usize,
    pub flags: usize,
    pub users: usize,
    /// Evaluation times fall this far back from generation at most, as an SDK's queue holds
    /// the evaluations since its last flush.
    pub timestamp_spread_ms: i64,
}

/// One ready-to-post body and the SDK instance that sends it.
pub struct SplitBody {
    pub json: Bytes,
    pub machine: usize,
}

pub struct Workload {
    pub bodies: Vec<SplitBody>,
    pub flag_names: Vec<String>,
}

#[derive(Serialize)]
struct WireGroup<'a> {
    f: &'a str,
    i: Vec<WireImpression<'a>>,
}

#[derive(Serialize)]
struct WireImpression<'a> {
    k: String,
    t: &'a str,
    m: i64,
    c: i64,
    r: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<&'a str>,
}

struct Flag {
    name: String,
    treatments: &'static [&'static str],
    change_number: i64,
}

impl Workload {
    /// Deterministic for a given shape and clock, so runs differ only in their timestamps.
    pub fn generate(shape: &WorkloadShape, now_ms: i64) -> anyhow::Result<Workload> {
        let mut rng = StdRng::seed_from_u64(0x1_3b71_4e55);
        let flags: Vec<Flag> = (0..shape.flags)
            .map(|n| Flag {
                name: flag_name(n),
                treatments: treatments_of(n),
                change_number: change_number_of(n),
            })
            .collect();
        let popularity = flag_popularity(shape.flags)?;
        let labels = WeightedIndex::new(LABELS.iter().map(|(_, weight)| *weight))?;

        let mut bodies = Vec::with_capacity(shape.bodies);
        for index in 0..shape.bodies {
            // SDKs group a flush by flag; a BTreeMap keeps the groups in a stable order.
            let mut groups: BTreeMap<usize, Vec<WireImpression<'_>>> = BTreeMap::new();
            for _ in 0..IMPRESSIONS_PER_BODY {
                let flag_index = popularity.sample(&mut rng);
                let flag = &flags[flag_index];
                let impression = WireImpression {
                    k: format!("user-{}", rng.gen_range(0..shape.users)),
                    t: flag.treatments[rng.gen_range(0..flag.treatments.len())],
                    m: now_ms - rng.gen_range(0..shape.timestamp_spread_ms.max(1)),
                    c: flag.change_number,
                    r: LABELS[labels.sample(&mut rng)].0,
                    properties: rng.gen_bool(PROPERTIES_SHARE).then_some(PROPERTIES),
                };
                groups.entry(flag_index).or_default().push(impression);
            }
            let groups: Vec<WireGroup<'_>> = groups
                .into_iter()
                .map(|(flag_index, i)| WireGroup {
                    f: &flags[flag_index].name,
                    i,
                })
                .collect();
            bodies.push(SplitBody {
                json: Bytes::from(serde_json::to_vec(&groups)?),
                machine: index % MACHINES,
            });
        }
        Ok(Workload {
            bodies,
            flag_names: flags.into_iter().map(|f| f.name).collect(),
        })
    }

    /// The body for the n-th post: the pool is posted round and round.
    pub fn body(&self, n: usize) -> &SplitBody {
        &self.bodies[n % self.bodies.len()]
    }

    pub fn impressions(&self) -> usize {
        self.bodies.len() * IMPRESSIONS_PER_BODY
    }
}

pub fn flag_name(index: usize) -> String {
    format!("flag_{index}")
}

/// A quarter of the flags are multivariate.
pub fn treatments_of(flag_index: usize) -> &'static [&'static str] {
    if flag_index.is_multiple_of(4) {
        &["v1", "v2", "v3"]
    } else {
        &["on", "off"]
    }
}

pub fn change_number_of(flag_index: usize) -> i64 {
    1_700_000_000_000 + flag_index as i64 * 1_000
}

/// Zipf-like popularity: flag n is evaluated about 1/(n+1) as often as the first.
pub fn flag_popularity(flags: usize) -> anyhow::Result<WeightedIndex<f64>> {
    Ok(WeightedIndex::new(
        (0..flags).map(|n| 1.0 / (n as f64 + 1.0)),
    )?)
}

/// The SDK instance behind a body: what its `SplitSDK*` headers say.
pub struct Machine {
    pub ip: String,
    pub name: String,
}

impl Machine {
    pub fn of(index: usize) -> Machine {
        Machine {
            ip: format!("10.0.0.{}", index + 1),
            name: format!("ip-10-0-0-{}", index + 1),
        }
    }

    pub fn count() -> usize {
        MACHINES
    }

    /// The metadata the server reads from this machine's headers.
    pub fn metadata(&self) -> SdkMetadata {
        SdkMetadata {
            sdk: Some(SDK_VERSION.into()),
            machine_ip: Some(self.ip.clone()),
            machine_name: Some(self.name.clone()),
            impressions_mode: Some(IMPRESSIONS_MODE.into()),
        }
    }
}
