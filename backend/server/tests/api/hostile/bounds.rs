//! Everything an SDK key can make the server hold is bounded, and past each bound the caller
//! gets a 4xx (or per-item rejection) whose code or message names it.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::assert_refused;
use crate::helpers::*;

fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

async fn post(app: &TestApp, key: &str, path: &str, body: impl Into<reqwest::Body>) -> Value {
    let response = app.sdk_post(path, key, &[], "application/json", body).await;
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.unwrap()
}

#[actix_web::test]
async fn a_body_of_many_bad_items_lists_the_first_hundred_and_counts_them_all() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let items = format!("[{}]", vec!["{}"; 200_000].join(","));
    let report = post(&app, &env.server_key, "/api/v1/impressions", items).await;
    assert_eq!(report["accepted"], 0);
    assert_eq!(report["rejected"].as_array().unwrap().len(), 100);
    assert_eq!(
        report["rejected_counts"],
        json!({ "invalid_item": 200_000 })
    );

    let groups = json!([{ "f": "checkout", "i": vec![json!(1); 1000] }]).to_string();
    let report = post(&app, &env.server_key, "/api/testImpressions/bulk", groups).await;
    assert_eq!(report["rejected_counts"]["invalid_item"], 1000);
}

#[actix_web::test]
async fn huge_negative_and_far_future_numbers_are_refused_per_item() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let m = now();
    let items = json!([
        { "flag": "f", "key": "k", "treatment": "on", "timestamp": i64::MAX },
        { "flag": "f", "key": "k", "treatment": "on", "timestamp": -1 },
        { "flag": "f", "key": "k", "treatment": "on", "timestamp": 1e300 },
        { "flag": "f", "key": "k", "treatment": "on", "timestamp": m, "change_number": 1e30 },
        { "flag": "f", "key": "k", "treatment": "on", "timestamp": 18446744073709551615_u64 },
    ]);
    let codes = assert_refused(
        "impressions",
        app.sdk_post(
            "/api/v1/impressions",
            &env.server_key,
            &[],
            "application/json",
            items.to_string(),
        )
        .await,
    )
    .await;
    assert_eq!(
        codes,
        [
            "timestamp_in_future",
            "invalid_timestamp",
            "invalid_item",
            "invalid_item",
            "invalid_item"
        ]
    );

    let counts = json!({ "pf": [
        { "f": "checkout", "m": m, "rc": -5 },
        { "f": "checkout", "m": m, "rc": i64::MAX },
        { "f": "checkout", "m": m + 10 * 24 * 3_600_000_i64, "rc": 1 },
        { "f": "checkout", "m": 1, "rc": 1 },
    ]});
    let codes = assert_refused(
        "counts",
        app.sdk_post(
            "/api/testImpressions/count",
            &env.server_key,
            &[],
            "application/json",
            counts.to_string(),
        )
        .await,
    )
    .await;
    assert_eq!(
        codes,
        [
            "invalid_count",
            "invalid_count",
            "timestamp_in_future",
            "expired"
        ]
    );

    // Valid counts near the bound add up without overflowing.
    let big = json!({ "pf": vec![json!({ "f": "checkout", "m": m, "rc": 1_000_000_000 }); 50] });
    let report = post(
        &app,
        &env.server_key,
        "/api/testImpressions/count",
        big.to_string(),
    )
    .await;
    assert_eq!(report["accepted"], 50);
    let usage = app.usage("production").await;
    assert_eq!(usage["impressions_counted_by_sdk"], 50_000_000_000_i64);
}

#[actix_web::test]
async fn deep_nesting_is_refused_with_a_code() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    for path in [
        "/api/v1/impressions",
        "/api/testImpressions/bulk",
        "/api/v1/evaluate",
    ] {
        let response = app
            .sdk_post(path, &env.server_key, &[], "application/json", deep.clone())
            .await;
        // A 4xx, or (where items are read one by one) the one item refused.
        assert_refused(path, response).await;
    }
    let mut properties = json!("leaf");
    for _ in 0..200 {
        properties = json!({ "a": properties });
    }
    let text = properties.to_string();
    let item = format!(
        r#"[{{"flag":"f","key":"k","treatment":"on","timestamp":{},"properties":{text}}}]"#,
        now()
    );
    let codes = assert_refused(
        "deep properties",
        app.sdk_post(
            "/api/v1/impressions",
            &env.server_key,
            &[],
            "application/json",
            item,
        )
        .await,
    )
    .await;
    assert!(
        codes[0] == "invalid_properties"
            || codes[0] == "invalid_json"
            || codes[0] == "invalid_item",
        "{codes:?}"
    );
}

#[actix_web::test]
async fn oversized_sdk_headers_are_refused_naming_the_limit() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let long = "x".repeat(251);
    for header in [
        "SplitSDKVersion",
        "SplitSDKMachineIP",
        "SplitSDKMachineName",
        "SplitSDKImpressionsMode",
    ] {
        let response = app
            .sdk_post(
                "/api/testImpressions/bulk",
                &env.server_key,
                &[(header, long.as_str())],
                "application/json",
                json!([{ "f": "checkout", "i": [{ "k": "u", "t": "on", "m": now() }] }])
                    .to_string(),
            )
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "invalid_header");
        assert!(body["message"]
            .as_str()
            .unwrap()
            .contains("max_sdk_header_bytes"));
    }
}

#[actix_web::test]
async fn evaluate_bounds_its_flag_list_and_keys_and_counts_repeats_once() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let evaluate = |body: Value| {
        app.sdk_post(
            "/api/v1/evaluate",
            &env.server_key,
            &[],
            "application/json",
            body.to_string(),
        )
    };
    let names: Vec<String> = (0..501).map(|i| format!("flag-{i}")).collect();
    let code = error_code(
        evaluate(json!({ "key": "u", "flags": names })).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(code, "too_many_flags");

    let repeated = vec!["checkout"; 10_000];
    let response = evaluate(json!({ "key": "u", "flags": repeated })).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["treatments"].as_object().unwrap().len(), 1);

    let long = "k".repeat(251);
    for body in [
        json!({ "key": long }),
        json!({ "key": "u", "bucketing_key": long }),
    ] {
        let code = error_code(evaluate(body).await, StatusCode::BAD_REQUEST).await;
        assert_eq!(code, "invalid_key");
    }
    let response = app
        .sdk_post(
            "/ofrep/v1/evaluate/flags",
            &env.server_key,
            &[],
            "application/json",
            json!({ "context": { "targetingKey": long } }).to_string(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn observed_flags_and_distinct_strings_are_capped_per_environment() {
    let app = spawn_app_with(|s| {
        s.max_flags_per_environment = 3;
        s.max_distinct_strings_per_environment = 4;
    })
    .await;
    let env = app.environment("production").await;
    let m = now();
    let groups: Vec<Value> = (0..5)
        .map(|i| json!({ "f": format!("flag-{i}"), "i": [{ "k": "u", "t": "on", "m": m }] }))
        .collect();
    let report = post(
        &app,
        &env.server_key,
        "/api/testImpressions/bulk",
        json!(groups).to_string(),
    )
    .await;
    assert_eq!(report["accepted"], 3, "{report}");
    assert_eq!(report["rejected_counts"], json!({ "too_many_flags": 2 }));
    assert!(report["rejected"][0]["message"]
        .as_str()
        .unwrap()
        .contains("max_flags_per_environment"));
    let keys = json!({ "keys": [{ "f": "flag-9", "ks": ["u1", "u2"] }] });
    let report = post(&app, &env.server_key, "/api/v1/keys/ss", keys.to_string()).await;
    assert_eq!(report["rejected_counts"], json!({ "too_many_flags": 2 }));

    // "on" is the first string; three more treatments fit, the fifth does not.
    let items: Vec<Value> = (0..5)
        .map(|i| json!({ "k": "u", "t": format!("t{i}"), "m": m }))
        .collect();
    let report = post(
        &app,
        &env.server_key,
        "/api/testImpressions/bulk",
        json!([{ "f": "flag-0", "i": items }]).to_string(),
    )
    .await;
    assert_eq!(report["accepted"], 3, "{report}");
    assert_eq!(
        report["rejected_counts"],
        json!({ "too_many_distinct_strings": 2 })
    );
}
