use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

/// Posts every request of a capture and returns the impressions its bulk posts carried.
async fn replay_capture(
    app: &TestApp,
    key: &str,
    file: &str,
) -> Vec<(Value, Vec<(String, String)>)> {
    let mut sent = Vec::new();
    for request in captured(file) {
        let response = request.replay(app, key).await;
        assert!(
            response.status().is_success(),
            "{} {}: {}",
            file,
            request.path,
            response.status()
        );
        if request.path == "/api/testImpressions/bulk" {
            for group in request.body.as_array().unwrap() {
                for impression in group["i"].as_array().unwrap() {
                    let mut impression = impression.clone();
                    impression["f"] = group["f"].clone();
                    sent.push((impression, request.headers.clone()));
                }
            }
        }
    }
    sent
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[actix_web::test]
async fn every_captured_sdk_impression_comes_back_with_every_field() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let mut sent = Vec::new();
    for file in [
        "node_debug.json",
        "py_debug.json",
        "node_debug_nolabels_noip.json",
        "node_clientside.json",
    ] {
        let key = if file == "node_clientside.json" {
            &env.client_key
        } else {
            &env.server_key
        };
        sent.extend(replay_capture(&app, key, file).await);
    }
    assert!(sent.len() > 20, "the captures hold real impressions");

    let stored = app.exported("production", "").await;
    assert_eq!(stored.len(), sent.len(), "every impression is stored once");
    for ((wire, headers), row) in sent.iter().zip(&stored) {
        assert_eq!(row["flag"], wire["f"]);
        assert_eq!(row["key"], wire["k"]);
        assert_eq!(row["treatment"], wire["t"]);
        assert_eq!(row["timestamp"], wire["m"]);
        assert_eq!(
            row["change_number"],
            wire.get("c").cloned().unwrap_or(Value::Null)
        );
        assert_eq!(row["label"], wire.get("r").cloned().unwrap_or(Value::Null));
        assert_eq!(
            row["bucketing_key"],
            wire.get("b").cloned().unwrap_or(Value::Null)
        );
        match wire.get("properties").and_then(Value::as_str) {
            Some(text) => assert_eq!(
                row["properties"],
                serde_json::from_str::<Value>(text).unwrap()
            ),
            None => assert_eq!(row["properties"], Value::Null),
        }
        assert_eq!(row["sdk"].as_str(), header(headers, "SplitSDKVersion"));
        assert_eq!(
            row["machine_ip"].as_str(),
            header(headers, "SplitSDKMachineIP")
        );
        assert_eq!(
            row["machine_name"].as_str(),
            header(headers, "SplitSDKMachineName")
        );
        assert!(row["received_at"].as_i64().unwrap() > 1_795_000_000_000);
    }
}

#[actix_web::test]
async fn impressions_of_a_flag_with_tracking_off_are_not_stored_but_keys_and_counts_are() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let body = r#"[{"f":"checkout","i":[{"k":"u1","t":"on","m":1795314651564,"c":1,"r":"default rule"}]},
                   {"f":"silent","i":[{"k":"u2","t":"off","m":1795314651564,"c":1,"r":"default rule"}]}]"#;
    let first = app
        .sdk_post(
            "/api/testImpressions/bulk",
            &env.server_key,
            &[],
            "application/json",
            body,
        )
        .await;
    assert_eq!(first.status(), StatusCode::OK);

    let admin = app.admin_session().await;
    let toggle = admin
        .client
        .put(app.url("/api/v1/environments/production/flags/silent/tracking"))
        .header("X-CSRF-Token", &admin.csrf)
        .json(&serde_json::json!({ "enabled": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(toggle.status(), StatusCode::OK);

    // The very next request sees the toggle, for impressions evaluated after it.
    let after_toggle = chrono::Utc::now().timestamp_millis().to_string();
    let second = app
        .sdk_post(
            "/api/testImpressions/bulk",
            &env.server_key,
            &[],
            "application/json",
            body.replace("u2", "u3")
                .replace("1795314651564", &after_toggle),
        )
        .await;
    let report: Value = second.json().await.unwrap();
    assert_eq!(report["accepted"], 1);
    assert_eq!(report["dropped_tracking_off"], 1);

    let stored = app.exported("production", "&flag=silent").await;
    assert_eq!(
        stored.len(),
        1,
        "only the impression from before the toggle"
    );
    let usage = app.usage("production").await;
    assert_eq!(usage["impressions_stored"], 3);
    assert_eq!(usage["impressions_dropped_tracking_off"], 1);

    let audit = app.db.recent_audit(10).await.unwrap();
    let entry = audit.iter().find(|a| a.action == "flag.tracking").unwrap();
    assert_eq!(entry.target, "production/silent");
    assert_eq!(entry.old_value.as_deref(), Some(r#"{"enabled":true}"#));
    assert_eq!(entry.new_value.as_deref(), Some(r#"{"enabled":false}"#));
}

#[actix_web::test]
async fn keys_of_dropped_impressions_still_count_toward_this_months_unique_keys() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let now = chrono::Utc::now().timestamp_millis();
    let seed = format!(r#"[{{"f":"quiet","i":[{{"k":"seed","t":"on","m":{now}}}]}}]"#);
    app.sdk_post(
        "/api/testImpressions/bulk",
        &env.server_key,
        &[],
        "application/json",
        seed,
    )
    .await;
    let admin = app.admin_session().await;
    admin
        .client
        .put(app.url("/api/v1/environments/production/flags/quiet/tracking"))
        .header("X-CSRF-Token", &admin.csrf)
        .json(&serde_json::json!({ "enabled": false }))
        .send()
        .await
        .unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    let body = format!(
        r#"[{{"f":"quiet","i":[{{"k":"a","t":"on","m":{now}}},{{"k":"b","t":"on","m":{now}}}]}}]"#
    );
    app.sdk_post(
        "/api/testImpressions/bulk",
        &env.server_key,
        &[],
        "application/json",
        body,
    )
    .await;
    let keys = r#"{"keys":[{"f":"quiet","ks":["c","a"]}]}"#;
    let response = app
        .sdk_post(
            "/api/v1/keys/ss",
            &env.server_key,
            &[],
            "application/json",
            keys,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let cs = r#"{"keys":[{"k":"d","fs":["quiet"]}]}"#;
    app.sdk_post(
        "/api/v1/keys/cs",
        &env.client_key,
        &[],
        "application/json",
        cs,
    )
    .await;

    let usage = app.usage("production").await;
    assert_eq!(usage["unique_keys_this_month"], 5, "seed, a, b, c, d");
    assert_eq!(usage["impressions_dropped_tracking_off"], 2);
}

#[actix_web::test]
async fn sdk_counts_events_and_telemetry_are_kept() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    for file in ["node_optimized.json", "py_none.json"] {
        replay_capture(&app, &env.server_key, file).await;
    }
    let usage = app.usage("production").await;
    // node_optimized counts 3 + 3, py_none 11 + 3 + 1 + 1.
    assert_eq!(usage["impressions_counted_by_sdk"], 22);
    assert_eq!(usage["events_stored"], 2);
    let admin = app.admin_session().await;
    let flags: Vec<Value> = admin
        .get(&app, "/api/v1/environments/production/flags")
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = flags.iter().map(|f| f["name"].as_str().unwrap()).collect();
    for name in ["checkout_v2", "silent_flag", "killed_flag", "partial_flag"] {
        assert!(
            names.contains(&name),
            "{name} is registered as an observed flag: {names:?}"
        );
    }
    assert!(flags
        .iter()
        .all(|f| f["defined"] == false && f["tracking_enabled"] == true));
}

#[actix_web::test]
async fn the_sdks_impressions_mode_is_kept_with_its_impressions() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    for file in ["node_optimized.json", "node_debug.json"] {
        replay_capture(&app, &env.server_key, file).await;
    }
    let odd_mode = r#"[{"f":"odd","i":[{"k":"u1","t":"on","m":1795314651564}]}]"#;
    app.sdk_post(
        "/api/testImpressions/bulk",
        &env.server_key,
        &[("SplitSDKImpressionsMode", "SOMETHING-ELSE")],
        "application/json",
        odd_mode,
    )
    .await;

    let stored = app.exported("production", "").await;
    let modes: std::collections::BTreeSet<String> = stored
        .iter()
        .map(|row| {
            row["impressions_mode"]
                .as_str()
                .unwrap_or("(none)")
                .to_owned()
        })
        .collect();
    assert_eq!(
        modes.into_iter().collect::<Vec<_>>(),
        ["(none)", "DEBUG", "OPTIMIZED"],
        "modes Split does not define are not kept"
    );
    let odd = stored.iter().find(|row| row["flag"] == "odd").unwrap();
    assert!(odd["impressions_mode"].is_null());
}
