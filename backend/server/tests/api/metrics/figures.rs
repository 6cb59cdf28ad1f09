//! Impact figures on hand-crafted data posted through the ingestion APIs, against the plain
//! computation of `model` and the domain's statistics (fixture-tested against scipy).

use imprint_domain::stats::{compare, summarize, Sample};
use serde_json::{json, Value};

use super::model::{mean, per_user_values, variance, Event, Impression, Metric};
use super::{create_metric, define_checkout, impact, now_ms, post_all};
use crate::helpers::*;

/// A small deterministic generator (xorshift), so the data is the same on every run.
struct Dice(u64);

impl Dice {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

/// The window and its data: 160 users split between `on` and `off` (where `on` buys more),
/// plus the cases the rules are about, at the window's edges.
fn world(from: i64, to: i64) -> (Vec<Impression>, Vec<Event>) {
    let mut dice = Dice(0x9E37_79B9_7F4A_7C15);
    let imp = |key: &str, treatment: &str, ts: i64| Impression {
        key: key.into(),
        treatment: treatment.into(),
        ts,
    };
    let ev =
        |key: &str, event_type: &str, ts: i64, value: Option<f64>, properties: Option<Value>| {
            Event {
                key: key.into(),
                event_type: event_type.into(),
                ts,
                value,
                properties,
            }
        };
    let (mut impressions, mut events) = (Vec::new(), Vec::new());
    for n in 0..160 {
        let key = format!("user-{n}");
        let treatment = if n % 2 == 0 { "on" } else { "off" };
        let first = from + 1_000 + dice.next(600_000) as i64;
        impressions.push(imp(&key, treatment, first));
        // A second impression of the same treatment changes nothing.
        if dice.next(4) == 0 {
            impressions.push(imp(&key, treatment, first + 5_000));
        }
        let purchases = dice.next(if treatment == "on" { 6 } else { 3 });
        for p in 0..purchases {
            // Some purchases come before the first impression: they are not attributed.
            let ts = first - 30_000 + dice.next(900_000) as i64;
            let value = (dice.next(5) > 0).then(|| (dice.next(10_000) as f64) / 100.0);
            let plan = if dice.next(3) == 0 { "pro" } else { "free" };
            let mut props = json!({ "plan": plan, "seats": dice.next(4), "trial": p % 2 == 0 });
            match dice.next(4) {
                0 => {}
                1 => props["price"] = json!("12"),
                _ => props["price"] = json!(dice.next(500) as f64 / 4.0),
            }
            events.push(ev(
                &key,
                "purchase",
                ts.min(to + 60_000),
                value,
                Some(props),
            ));
        }
        if dice.next(3) == 0 {
            events.push(ev(&key, "signup", first + 100, Some(1.0), None));
        }
    }
    // Seen with both treatments: excluded, whatever they did.
    impressions.push(imp("both", "on", from + 10));
    impressions.push(imp("both", "off", from + 20));
    events.push(ev("both", "purchase", from + 30, Some(1000.0), None));
    // Exposed before the window only, then inside it: exposed from the one inside.
    impressions.push(imp("late", "off", from - 5_000));
    impressions.push(imp("late", "on", to));
    events.push(ev(
        "late",
        "purchase",
        to,
        Some(7.0),
        Some(json!({ "plan": "pro", "price": 3 })),
    ));
    events.push(ev("late", "purchase", to + 1, Some(9.0), None));
    // Only before the window: not exposed at all.
    impressions.push(imp("gone", "on", from - 1));
    events.push(ev("gone", "purchase", from + 1, Some(5.0), None));
    // An event at the very time of the first impression counts.
    impressions.push(imp("exact", "off", from + 50_000));
    events.push(ev(
        "exact",
        "purchase",
        from + 50_000,
        None,
        Some(json!({ "plan": "pro" })),
    ));
    (impressions, events)
}

fn close(actual: &Value, expected: Option<f64>, what: &str) {
    match expected {
        Some(expected) => {
            let actual = actual
                .as_f64()
                .unwrap_or_else(|| panic!("{what}: {actual}"));
            let tolerance = 1e-6 * expected.abs().max(1.0);
            assert!(
                (actual - expected).abs() <= tolerance,
                "{what}: {actual} vs {expected}"
            );
        }
        None => assert!(actual.is_null(), "{what}: {actual} should be null"),
    }
}

#[actix_web::test]
async fn every_aggregation_matches_an_independent_per_user_computation() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let admin = app.admin_session().await;
    define_checkout(&app, &admin, 50).await;
    let to = now_ms() - 120_000;
    let from = to - 3_600_000;
    let (impressions, events) = world(from, to);
    let items: Vec<Value> = impressions.iter().map(|i| i.json("checkout")).collect();
    post_all(&app, &env.server_key, "/api/v1/impressions", &items).await;
    let items: Vec<Value> = events.iter().map(Event::json).collect();
    post_all(&app, &env.server_key, "/api/v1/events", &items).await;

    let metrics = [
        ("count", None, json!({})),
        ("sum", None, json!({})),
        ("mean", None, json!({})),
        ("conversion", None, json!({})),
        ("property_mean", Some("price"), json!({})),
        ("count", None, json!({ "plan": "pro" })),
        ("sum", None, json!({ "seats": 2, "trial": true })),
    ];
    for (n, (aggregation, property, filter)) in metrics.into_iter().enumerate() {
        let id = create_metric(
            &app,
            &admin,
            json!({
                "name": format!("metric {n}"), "event_type": "purchase", "aggregation": aggregation,
                "property": property, "filter": filter, "direction": "increase"
            }),
        )
        .await;
        let view = impact(&app, &admin, &format!("metric={id}&from={from}&to={to}")).await;
        let metric = Metric {
            event_type: "purchase",
            aggregation,
            property,
            filter,
        };
        let (expected, excluded) = per_user_values(&impressions, &events, &metric, from, to);
        let what = format!("{aggregation} {}", metric.filter);
        assert_eq!(view["excluded_users"], excluded, "{what}");
        assert_eq!(view["baseline"], "off", "the default treatment");
        let treatments = view["treatments"].as_array().unwrap();
        assert_eq!(treatments.len(), 2, "{view}");
        for t in treatments {
            let name = t["treatment"].as_str().unwrap();
            let values = &expected[name];
            assert_eq!(t["users"], values.len(), "{what} {name}");
            close(
                &t["mean"],
                Some(mean(values)),
                &format!("{what} {name} mean"),
            );
            // The interval's half width is t × √(variance / n): check the variance through it.
            let summary = summarize(&Sample::from_values(values));
            assert!((summary.variance.unwrap() - variance(values)).abs() < 1e-6);
            close(
                &t["ci_low"],
                summary.ci.map(|c| c.low),
                &format!("{what} {name} ci_low"),
            );
            close(
                &t["ci_high"],
                summary.ci.map(|c| c.high),
                &format!("{what} {name} ci_high"),
            );
        }
        let comparison = &view["comparisons"][0];
        assert_eq!(
            (
                comparison["treatment"].as_str(),
                comparison["baseline"].as_str()
            ),
            (Some("on"), Some("off"))
        );
        let c = compare(
            &Sample::from_values(&expected["on"]),
            &Sample::from_values(&expected["off"]),
        );
        close(&comparison["lift"], c.lift, &format!("{what} lift"));
        close(
            &comparison["relative_lift"],
            c.relative_lift,
            &format!("{what} relative lift"),
        );
        close(&comparison["p_value"], c.p_value, &format!("{what} p"));
        close(
            &comparison["ci_low"],
            c.ci.map(|i| i.low),
            &format!("{what} lift ci_low"),
        );
        close(
            &comparison["ci_high"],
            c.ci.map(|i| i.high),
            &format!("{what} lift ci_high"),
        );
        assert_eq!(comparison["significant"], c.significant, "{what}");
        let better = c.lift.filter(|_| c.significant).map(|lift| lift > 0.0);
        assert_eq!(comparison["better"], json!(better), "{what}");
        assert!(view["tracked"].as_bool().unwrap());
        assert!(view["method"].as_str().unwrap().contains("Welch"));
    }
}

#[actix_web::test]
async fn users_without_events_count_as_zero_for_counts_and_are_left_out_of_means() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let admin = app.admin_session().await;
    let t = now_ms() - 60_000;
    let impressions: Vec<Value> = ["a", "b", "c", "d"]
        .iter()
        .map(|k| json!({ "flag": "checkout", "key": k, "treatment": "on", "timestamp": t }))
        .collect();
    post_all(&app, &env.server_key, "/api/v1/impressions", &impressions).await;
    let events = [("a", 4.0), ("a", 2.0), ("b", 6.0)]
        .map(|(k, v)| json!({ "event_type": "buy", "key": k, "timestamp": t + 1, "value": v }));
    post_all(&app, &env.server_key, "/api/v1/events", &events).await;
    let metric = |aggregation: &str| json!({ "name": aggregation, "event_type": "buy", "aggregation": aggregation, "direction": "increase" });
    for (aggregation, users, mean) in [
        ("count", 4, 3.0 / 4.0),
        ("sum", 4, 12.0 / 4.0),
        ("conversion", 4, 0.5),
        ("mean", 2, (3.0 + 6.0) / 2.0),
    ] {
        let id = create_metric(&app, &admin, metric(aggregation)).await;
        let view = impact(&app, &admin, &format!("metric={id}")).await;
        let on = &view["treatments"][0];
        assert_eq!(
            (on["treatment"].as_str(), on["users"].as_u64()),
            (Some("on"), Some(users)),
            "{aggregation}"
        );
        close(&on["mean"], Some(mean), aggregation);
        assert_eq!(
            view["baseline"], "on",
            "without a definition nor `off`, the largest treatment"
        );
        assert_eq!(
            view["srm"]["p_value"],
            Value::Null,
            "no definition, no split to check"
        );
    }
}
