//! What one simulated visit sends, as an SDK would: the evaluations of the environment's flags
//! (impressions, with the label and change number the evaluator gives) and `track()` events.
//! Pure: the caller brings the randomness, the clock and the flag definitions.

use imprint_domain::definitions::{
    evaluate, EvaluationContext, EvaluationKey, FlagDefinition, CONTROL,
};
use rand::Rng;
use serde_json::{json, Map, Value};

use super::seed::CHECKOUT_FLAG;

/// Distinct users the visits are drawn from, so unique keys stay bounded however long the
/// demo runs.
pub const USERS: usize = 20_000;
/// Chance that a visit ends in a checkout: the control and the treatment that helps. The lift
/// is large so that at the default 25 visits a second (about 700 new users per treatment a
/// minute) the demo's impact is significant within a minute or two: simulated, conversion
/// reaches p < 0.05 in 93% of runs after 60 s and 99% after 90 s (10% to 15% would take 84%
/// and 96%), revenue per user in 86% and 98%.
pub const CHECKOUT_RATE: f64 = 0.10;
pub const CHECKOUT_RATE_WITH_NEW_CHECKOUT: f64 = 0.16;
/// The new checkout's pages are heavier: its users' pages load this much slower. With a
/// uniform 350 to 1,400 ms load time the demo's alert policy (10% worse) fires within a minute
/// or two of the first visits, so the Alerts page and the flag's banner have something to show.
pub const PAGE_LOAD_FACTOR_WITH_NEW_CHECKOUT: f64 = 1.2;
/// The `track()` event types of a visit: every visit views a page (the value is its load time
/// in ms), some check out (the value is the price).
pub const PAGE_VIEW_EVENT: &str = "page_view";
pub const CHECKOUT_EVENT: &str = "checkout";
/// The SDK name the simulator's impressions and events carry.
pub const SDK: &str = "imprint-demo-1.0";

const PAGES: [&str; 4] = ["/", "/search", "/product", "/cart"];

pub fn user_key(n: usize) -> String {
    format!("user-{n}")
}

/// A user's platform, fixed per user so the `dark_mode` rule sees the same user the same way.
pub fn platform_of(n: usize) -> &'static str {
    match n % 10 {
        0..=2 => "ios",
        3..=4 => "android",
        _ => "web",
    }
}

#[derive(Debug, Default)]
pub struct Visit {
    pub impressions: Vec<Value>,
    pub events: Vec<Value>,
}

/// One visit of a random user at `now`: every active flag evaluated, a page view, and a
/// checkout with a probability that `new_checkout`'s treatment decides.
pub fn visit(
    rng: &mut impl Rng,
    flags: &[&FlagDefinition],
    ctx: &dyn EvaluationContext,
    now: i64,
) -> Visit {
    let n = rng.gen_range(0..USERS);
    let key = user_key(n);
    let platform = platform_of(n);
    let mut attributes = Map::new();
    attributes.insert("platform".into(), json!(platform));
    // The page is evaluated a moment before the events it leads to.
    let evaluated_at = now - 1_000;
    let mut visit = Visit::default();
    let mut checkout_treatment = None;
    for flag in flags {
        let evaluation = evaluate(Some(*flag), &EvaluationKey::new(&key), &attributes, ctx);
        if evaluation.treatment == CONTROL {
            continue;
        }
        if flag.name == CHECKOUT_FLAG {
            checkout_treatment = Some(evaluation.treatment.clone());
        }
        visit.impressions.push(json!({
            "flag": flag.name, "key": key, "treatment": evaluation.treatment,
            "label": evaluation.label, "change_number": evaluation.change_number,
            "timestamp": evaluated_at, "traffic_type": flag.traffic_type, "sdk": SDK,
            "properties": {"platform": platform},
        }));
    }
    let page = PAGES[rng.gen_range(0..PAGES.len())];
    let new_checkout = checkout_treatment.as_deref() == Some("on");
    let slower = if new_checkout {
        PAGE_LOAD_FACTOR_WITH_NEW_CHECKOUT
    } else {
        1.0
    };
    let load_ms: f64 = (rng.gen_range(350.0..1_400.0_f64) * slower).round();
    visit.events.push(json!({
        "event_type": PAGE_VIEW_EVENT, "key": key, "timestamp": now, "traffic_type": "user",
        "value": load_ms, "sdk": SDK, "properties": {"page": page, "platform": platform},
    }));
    let rate = if new_checkout {
        CHECKOUT_RATE_WITH_NEW_CHECKOUT
    } else {
        CHECKOUT_RATE
    };
    if rng.gen_bool(rate) {
        let price: f64 = (rng.gen_range(20.0..150.0_f64) * 100.0).round() / 100.0;
        visit.events.push(json!({
            "event_type": CHECKOUT_EVENT, "key": key, "timestamp": now, "traffic_type": "user",
            "value": price, "sdk": SDK,
            "properties": {"items": rng.gen_range(1..5), "platform": platform},
        }));
    }
    visit
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use rand::rngs::StdRng;
    use rand::SeedableRng;

    use super::*;
    use crate::demo::seed::{definitions, BETA_SEGMENT, BETA_USERS};

    struct Demo {
        beta: HashSet<String>,
        flags: HashMap<String, FlagDefinition>,
    }

    impl EvaluationContext for Demo {
        fn in_segment(&self, segment: &str, key: &str) -> bool {
            segment == BETA_SEGMENT && self.beta.contains(key)
        }
        fn flag(&self, name: &str) -> Option<&FlagDefinition> {
            self.flags.get(name)
        }
    }

    #[test]
    fn the_new_checkout_raises_checkout_conversion_and_slows_pages_down() {
        let demo = Demo {
            beta: (0..BETA_USERS).map(user_key).collect(),
            flags: definitions()
                .unwrap()
                .into_iter()
                .map(|mut d| {
                    d.seed = 17;
                    d.traffic_allocation_seed = 23;
                    (d.name.clone(), d)
                })
                .collect(),
        };
        let flags: Vec<&FlagDefinition> = demo.flags.values().collect();
        let mut rng = StdRng::seed_from_u64(7);
        let mut visits = HashMap::<String, (u32, u32)>::new();
        let mut load_ms = HashMap::<String, f64>::new();
        for _ in 0..40_000 {
            let v = visit(&mut rng, &flags, &demo, 1_000_000);
            assert_eq!(v.impressions.len(), 3, "every flag is evaluated");
            let treatment = v
                .impressions
                .iter()
                .find(|i| i["flag"] == CHECKOUT_FLAG)
                .unwrap()["treatment"]
                .as_str()
                .unwrap()
                .to_owned();
            let bought = v.events.iter().any(|e| e["event_type"] == CHECKOUT_EVENT);
            let page_view = v.events.iter().find(|e| e["event_type"] == PAGE_VIEW_EVENT);
            *load_ms.entry(treatment.clone()).or_default() +=
                page_view.unwrap()["value"].as_f64().unwrap();
            let entry = visits.entry(treatment).or_default();
            entry.0 += 1;
            entry.1 += u32::from(bought);
        }
        let rate = |t: &str| f64::from(visits[t].1) / f64::from(visits[t].0);
        assert!(
            (rate("on") - CHECKOUT_RATE_WITH_NEW_CHECKOUT).abs() < 0.01,
            "{visits:?}"
        );
        assert!((rate("off") - CHECKOUT_RATE).abs() < 0.01, "{visits:?}");
        // Pages load 20% slower with the new checkout: what the demo's alert watches.
        let mean_load = |t: &str| load_ms[t] / f64::from(visits[t].0);
        let slower = mean_load("on") / mean_load("off");
        assert!(
            (slower - PAGE_LOAD_FACTOR_WITH_NEW_CHECKOUT).abs() < 0.02,
            "{slower}"
        );
        let share = f64::from(visits["on"].0) / 40_000.0;
        assert!((share - 0.5).abs() < 0.02, "a 50/50 split: {share}");
    }

    #[test]
    fn beta_testers_get_the_newest_ranking_whatever_the_split() {
        let mut flags: HashMap<String, FlagDefinition> = definitions()
            .unwrap()
            .into_iter()
            .map(|d| (d.name.clone(), d))
            .collect();
        let ranking = flags.remove("search_ranking").unwrap();
        let demo = Demo {
            beta: (0..BETA_USERS).map(user_key).collect(),
            flags,
        };
        let evaluation = evaluate(
            Some(&ranking),
            &EvaluationKey::new(&user_key(3)),
            &Map::new(),
            &demo,
        );
        assert_eq!(evaluation.treatment, "v3");
    }
}
