use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

mod conflicts;

fn served_flags() -> Vec<Value> {
    let path = format!(
        "{}/../domain/tests/fixtures/split/served_responses.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let served: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    served["GET /api/splitChanges?s=1.3&since=-1&rbSince=-1"]["ff"]["d"]
        .as_array()
        .unwrap()
        .clone()
}

async fn put_json(session: &Session, app: &TestApp, path: &str, body: &Value) -> reqwest::Response {
    session
        .client
        .put(app.url(path))
        .header("X-CSRF-Token", &session.csrf)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn sdk_get(app: &TestApp, key: &str, path: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(app.url(path))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
}

/// The parts of a Split definition that decide what SDKs serve; change numbers excluded.
fn meaning(flag: &Value) -> Value {
    let mut flag = flag.clone();
    let object = flag.as_object_mut().unwrap();
    object.remove("changeNumber");
    object.remove("impressionsDisabled");
    // Imprint's own extension (description, treatment order); the SDKs ignore it.
    object.remove("imprint");
    object.retain(|_, v| {
        !(v.as_object().is_some_and(|o| o.is_empty()) || v.as_array().is_some_and(|a| a.is_empty()))
    });
    for condition in object
        .get_mut("conditions")
        .unwrap()
        .as_array_mut()
        .unwrap()
    {
        for matcher in condition["matcherGroup"]["matchers"]
            .as_array_mut()
            .unwrap()
        {
            // Null data fields are equivalent to absent ones, and so is a key selector
            // without an attribute.
            let matcher = matcher.as_object_mut().unwrap();
            if matcher
                .get("keySelector")
                .is_some_and(|s| s.is_null() || s["attribute"].is_null())
            {
                matcher.remove("keySelector");
            }
            matcher.retain(|_, v| !v.is_null());
        }
    }
    flag
}

async fn import_served(app: &TestApp, admin: &Session) -> Value {
    let body = json!({ "ff": { "d": served_flags() }, "segments": [{ "name": "beta_users", "keys": ["vip-user"] }] });
    let response = admin
        .post(app, "/api/v1/environments/production/import", &body)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[actix_web::test]
async fn split_definitions_import_and_are_served_back_unchanged_in_meaning() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let admin = app.admin_session().await;
    let report = import_served(&app, &admin).await;
    assert_eq!(report["rejected"], json!([]), "{report}");
    assert_eq!(report["flags_imported"].as_array().unwrap().len(), 4);

    let feed: Value = sdk_get(
        &app,
        &env.server_key,
        "/api/splitChanges?s=1.3&since=-1&rbSince=-1",
    )
    .await
    .json()
    .await
    .unwrap();
    let served = feed["ff"]["d"].as_array().unwrap();
    for original in served_flags() {
        let ours = served
            .iter()
            .find(|f| f["name"] == original["name"])
            .unwrap();
        assert_eq!(meaning(ours), meaning(&original), "{}", original["name"]);
        assert_eq!(ours["algo"], 2);
    }
    let silent = served.iter().find(|f| f["name"] == "silent_flag").unwrap();
    assert_eq!(
        silent["impressionsDisabled"], true,
        "the import keeps the tracking toggle"
    );
    let till = feed["ff"]["t"].as_i64().unwrap();
    assert_eq!(feed["ff"]["s"], -1);
    assert_eq!(feed["rbs"], json!({ "d": [], "s": -1, "t": -1 }));

    let again: Value = sdk_get(
        &app,
        &env.server_key,
        &format!("/api/splitChanges?s=1.3&since={till}&rbSince=-1"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        again["ff"],
        json!({ "d": [], "s": till, "t": till }),
        "nothing new: s == t"
    );
    let filtered: Value = sdk_get(
        &app,
        &env.server_key,
        "/api/splitChanges?s=1.3&since=-1&sets=checkout",
    )
    .await
    .json()
    .await
    .unwrap();
    let names: Vec<&str> = filtered["ff"]["d"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["checkout_v2"]);
}

#[actix_web::test]
async fn segments_memberships_and_streaming_auth_answer_like_split() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let admin = app.admin_session().await;
    import_served(&app, &admin).await;

    let full: Value = sdk_get(
        &app,
        &env.server_key,
        "/api/segmentChanges/beta_users?since=-1",
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(full["added"], json!(["vip-user"]));
    let till = full["till"].as_i64().unwrap();
    put_json(
        &admin,
        &app,
        "/api/v1/environments/production/segments/beta_users",
        &json!({ "keys": ["user-9"] }),
    )
    .await;
    let delta: Value = sdk_get(
        &app,
        &env.server_key,
        &format!("/api/segmentChanges/beta_users?since={till}"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(delta["added"], json!(["user-9"]));
    assert_eq!(delta["removed"], json!(["vip-user"]));
    assert!(delta["till"].as_i64().unwrap() > till);

    let unknown: Value = sdk_get(&app, &env.server_key, "/api/segmentChanges/nope?since=-1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unknown["added"], json!([]));
    let client_side = sdk_get(
        &app,
        &env.client_key,
        "/api/segmentChanges/beta_users?since=-1",
    )
    .await;
    assert_eq!(
        error_code(client_side, StatusCode::FORBIDDEN).await,
        "forbidden"
    );

    let memberships: Value = sdk_get(&app, &env.client_key, "/api/memberships/user-9")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(memberships["ms"]["k"], json!([{ "n": "beta_users" }]));
    let auth: Value = sdk_get(&app, &env.client_key, "/api/v2/auth?s=1.3&users=user-9")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(auth["pushEnabled"], false);
}

#[actix_web::test]
async fn definitions_are_validated_field_by_field() {
    let app = spawn_app().await;
    app.environment("production").await;
    let admin = app.admin_session().await;
    let bad = json!({
        "name": "x", "traffic_type": "account", "default_treatment": "maybe",
        "treatments": [{ "name": "on" }, { "name": "off" }],
        "rules": [{ "matchers": [{ "negate": false, "condition": { "type": "in_segment", "segment": "nobody" } }],
                   "serve": { "split": [{ "treatment": "on", "size": 60 }, { "treatment": "off", "size": 30 }] } }],
        "default_rule": { "treatment": "off" }
    });
    let response = put_json(
        &admin,
        &app,
        "/api/v1/environments/production/flags/checkout/definition",
        &bad,
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "validation_failed", "{body}");
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for expected in ["default_treatment", "traffic_type"] {
        assert!(fields.contains(&expected), "{expected} in {fields:?}");
    }
    assert!(
        fields
            .iter()
            .any(|f| f.starts_with("rules[0]") && f.contains("split")),
        "{fields:?}"
    );
    assert!(
        fields.iter().any(|f| f.starts_with("rules[0].matchers[0]")),
        "{fields:?}"
    );
}

#[actix_web::test]
async fn every_change_bumps_the_change_number_and_is_audited() {
    let app = spawn_app().await;
    app.environment("production").await;
    let admin = app.admin_session().await;
    let definition = json!({
        "name": "checkout", "traffic_type": "user", "default_treatment": "off",
        "treatments": [{ "name": "on", "config": { "color": "blue" } }, { "name": "off" }],
        "rules": [], "default_rule": { "treatment": "on" }
    });
    let path = "/api/v1/environments/production/flags/checkout";
    let created: Value = put_json(&admin, &app, &format!("{path}/definition"), &definition)
        .await
        .json()
        .await
        .unwrap();
    let mut last = created["change_number"].as_i64().unwrap();
    let kill: Value = admin
        .post(&app, &format!("{path}/kill"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(kill["definition"]["killed"], true);
    assert!(kill["change_number"].as_i64().unwrap() > last);
    last = kill["change_number"].as_i64().unwrap();
    put_json(
        &admin,
        &app,
        &format!("{path}/tracking"),
        &json!({ "enabled": false }),
    )
    .await;
    let after: Value = admin.get(&app, path).await.json().await.unwrap();
    assert!(
        after["change_number"].as_i64().unwrap() > last,
        "tracking changes bump it too"
    );
    let actions: Vec<String> = app
        .db
        .recent_audit(20)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    for action in ["flag.create", "flag.kill", "flag.tracking"] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
    let viewer = app.user_with_role("viewer").await;
    let denied = viewer
        .post(&app, &format!("{path}/restore"), &json!({}))
        .await;
    assert_eq!(error_code(denied, StatusCode::FORBIDDEN).await, "forbidden");
}

#[actix_web::test]
async fn server_side_and_ofrep_evaluations_answer_and_are_recorded_as_impressions() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let admin = app.admin_session().await;
    import_served(&app, &admin).await;
    let client = reqwest::Client::new();

    let evaluated: Value = client
        .post(app.url("/api/v1/evaluate"))
        .bearer_auth(&env.server_key)
        .json(&json!({ "key": "vip-user", "flags": ["checkout_v2", "killed_flag", "nope"], "attributes": {} }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(evaluated["treatments"]["checkout_v2"]["treatment"], "on");
    assert_eq!(
        evaluated["treatments"]["checkout_v2"]["label"],
        "whitelisted"
    );
    assert_eq!(
        evaluated["treatments"]["checkout_v2"]["config"],
        r#"{"color":"blue"}"#
    );
    assert_eq!(evaluated["treatments"]["killed_flag"]["label"], "killed");
    assert_eq!(evaluated["treatments"]["nope"]["treatment"], "control");

    let one = client
        .post(app.url("/ofrep/v1/evaluate/flags/checkout_v2"))
        .bearer_auth(&env.server_key)
        .json(&json!({ "context": { "targetingKey": "someone", "plan": "premium" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(one.status(), StatusCode::OK);
    let one: Value = one.json().await.unwrap();
    assert_eq!(one["value"], "on");
    assert_eq!(one["reason"], "TARGETING_MATCH");
    assert_eq!(one["metadata"]["label"], "plan in list [premium]");

    let missing = client
        .post(app.url("/ofrep/v1/evaluate/flags/nope"))
        .bearer_auth(&env.server_key)
        .json(&json!({ "context": { "targetingKey": "someone" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let no_key = client
        .post(app.url("/ofrep/v1/evaluate/flags/checkout_v2"))
        .bearer_auth(&env.server_key)
        .json(&json!({ "context": {} }))
        .send()
        .await
        .unwrap();
    let no_key: Value = no_key.json().await.unwrap();
    assert_eq!(no_key["errorCode"], "TARGETING_KEY_MISSING");

    let bulk = client
        .post(app.url("/ofrep/v1/evaluate/flags"))
        .bearer_auth(&env.server_key)
        .json(&json!({ "context": { "targetingKey": "someone" } }))
        .send()
        .await
        .unwrap();
    let etag = bulk.headers()["etag"].to_str().unwrap().to_owned();
    let bulk: Value = bulk.json().await.unwrap();
    assert_eq!(bulk["flags"].as_array().unwrap().len(), 4);
    let cached = client
        .post(app.url("/ofrep/v1/evaluate/flags"))
        .bearer_auth(&env.server_key)
        .header("If-None-Match", &etag)
        .json(&json!({ "context": { "targetingKey": "someone" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);

    let stored = app.exported("production", "").await;
    let sdks: Vec<&str> = stored.iter().map(|r| r["sdk"].as_str().unwrap()).collect();
    assert!(
        sdks.contains(&"imprint-evaluator") && sdks.contains(&"ofrep"),
        "{sdks:?}"
    );
    assert!(
        stored.iter().all(|r| r["flag"] != "silent_flag"),
        "tracking off: never stored"
    );
    assert!(
        stored.iter().all(|r| r["flag"] != "nope"),
        "unknown flags leave no impression"
    );
}

#[actix_web::test]
async fn the_openapi_document_describes_the_definition_endpoints() {
    let app = spawn_app().await;
    let doc: Value = reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/v1/environments/{env}/flags/{flag}/definition",
        "/api/v1/environments/{env}/segments/{segment}",
        "/api/v1/environments/{env}/import",
        "/api/splitChanges",
        "/ofrep/v1/evaluate/flags/{key}",
    ] {
        assert!(paths.contains_key(path), "{path} is documented");
    }
    assert!(doc["components"]["schemas"]["FlagDefinition"].is_object());
}

#[actix_web::test]
async fn a_rule_matching_the_key_against_a_list_gets_a_label_without_the_keys() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let admin = app.admin_session().await;
    let definition = json!({
        "name": "beta", "traffic_type": "user", "default_treatment": "off",
        "treatments": [{ "name": "on" }, { "name": "off" }],
        "rules": [
            { "matchers": [{ "condition": { "type": "in_list", "values": ["alice@example.com", "bob"] } }],
              "serve": { "treatment": "on" } },
            { "matchers": [{ "attribute": "plan", "condition": { "type": "in_list", "values": ["gold"] } }],
              "serve": { "treatment": "on" }, "label": "gold plan" }
        ],
        "default_rule": { "treatment": "off" }
    });
    let saved = put_json(
        &admin,
        &app,
        "/api/v1/environments/production/flags/beta/definition",
        &definition,
    )
    .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let saved: Value = saved.json().await.unwrap();
    let labels: Vec<&str> = saved["definition"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        ["in list of 2 keys", "gold plan"],
        "given labels stay"
    );

    let evaluated: Value = reqwest::Client::new()
        .post(app.url("/api/v1/evaluate"))
        .bearer_auth(&env.server_key)
        .json(&json!({ "key": "alice@example.com", "flags": ["beta"] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        evaluated["treatments"]["beta"]["label"],
        "in list of 2 keys"
    );
    let feed = sdk_get(&app, &env.server_key, "/api/splitChanges?s=1.3&since=-1")
        .await
        .text()
        .await
        .unwrap();
    let served: Value = serde_json::from_str(&feed).unwrap();
    let conditions = served["ff"]["d"][0]["conditions"].to_string();
    assert!(
        conditions.contains(r#""label":"in list of 2 keys""#),
        "{conditions}"
    );
    let stored = app.exported("production", "&flag=beta").await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["label"], "in list of 2 keys");

    // A definition as an older Imprint saved it, its generated label naming the keys (what
    // a client that read it then sends back): the label is generated anew.
    let mut older = definition.clone();
    older["rules"][0]["label"] = json!(r#"in list ["alice@example.com", "bob"]"#);
    let resaved: Value = put_json(
        &admin,
        &app,
        "/api/v1/environments/production/flags/beta/definition",
        &older,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        resaved["definition"]["rules"][0]["label"],
        "in list of 2 keys"
    );
}
