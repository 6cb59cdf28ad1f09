//! The matrix itself: every route of the OpenAPI document and who may call it.

use super::{route, with_body, with_call, Access, Role, Route};

use Access::{Beacon, Public, SdkKey, SignIn, User};
use Role::{Admin, Editor, Viewer};

const ANY_KEY: Access = SdkKey { client: true };
const SERVER_KEY: Access = SdkKey { client: false };

const DEFINITION: &str = r#"{"name":"checkout","traffic_type":"user","default_treatment":"off",
    "treatments":[{"name":"on"},{"name":"off"}],"rules":[],"default_rule":{"treatment":"on"}}"#;

/// The matrix: who may call each route.
pub const ROUTES: &[Route] = &[
    route("get", "/healthz", Public),
    route("get", "/readyz", Public),
    with_body(
        "post",
        "/api/v1/auth/login",
        SignIn,
        r#"{"email":"admin@example.com","password":"admin password 123"}"#,
    ),
    route("post", "/api/v1/auth/logout", User(Viewer)),
    route("get", "/api/v1/me", User(Viewer)),
    with_body(
        "post",
        "/api/v1/me/password",
        User(Viewer),
        r#"{"current_password":"not it","new_password":"a brand new password"}"#,
    ),
    with_body("post", "/api/v1/tokens", User(Viewer), r#"{"name":"rbac"}"#),
    route("get", "/api/v1/tokens", User(Viewer)),
    route("delete", "/api/v1/tokens/{id}", User(Viewer)),
    with_body(
        "post",
        "/api/v1/users",
        User(Admin),
        r#"{"email":"rbac-new@example.com","password":"a long enough password","role":"viewer"}"#,
    ),
    route("get", "/api/v1/users", User(Admin)),
    with_body(
        "patch",
        "/api/v1/users/{id}",
        User(Admin),
        r#"{"role":"viewer"}"#,
    ),
    route("get", "/api/v1/audit", User(Viewer)),
    route("get", "/api/v1/demo", User(Viewer)),
    route("post", "/api/v1/demo/stop", User(Admin)),
    route("post", "/api/v1/demo/start", User(Admin)),
    with_body(
        "post",
        "/api/v1/environments",
        User(Admin),
        r#"{"name":"rbac-new","retention_days":30}"#,
    ),
    route("get", "/api/v1/environments", User(Viewer)),
    route("get", "/api/v1/environments/{env}", User(Viewer)),
    with_body(
        "patch",
        "/api/v1/environments/{env}",
        User(Admin),
        r#"{"retention_days":3650}"#,
    ),
    with_body(
        "post",
        "/api/v1/environments/{env}/keys",
        User(Admin),
        r#"{"kind":"server"}"#,
    ),
    route(
        "delete",
        "/api/v1/environments/{env}/keys/{id}",
        User(Admin),
    ),
    route("get", "/api/v1/environments/{env}/flags", User(Viewer)),
    route(
        "get",
        "/api/v1/environments/{env}/flags/{flag}",
        User(Viewer),
    ),
    route(
        "get",
        "/api/v1/environments/{env}/flags/{flag}/monitoring",
        User(Viewer),
    ),
    with_body(
        "put",
        "/api/v1/environments/{env}/flags/{flag}/tracking",
        User(Editor),
        r#"{"enabled":true}"#,
    ),
    with_body(
        "put",
        "/api/v1/environments/{env}/flags/{flag}/definition",
        User(Editor),
        DEFINITION,
    ),
    with_body(
        "post",
        "/api/v1/environments/{env}/flags/{flag}/kill",
        User(Editor),
        "{}",
    ),
    with_body(
        "post",
        "/api/v1/environments/{env}/flags/{flag}/restore",
        User(Editor),
        "{}",
    ),
    route(
        "get",
        "/api/v1/environments/{env}/definitions",
        User(Viewer),
    ),
    route("get", "/api/v1/environments/{env}/segments", User(Viewer)),
    with_body(
        "put",
        "/api/v1/environments/{env}/segments/{segment}",
        User(Editor),
        r#"{"keys":["u1"]}"#,
    ),
    route("get", "/api/v1/traffic-types", User(Viewer)),
    with_body(
        "post",
        "/api/v1/traffic-types",
        User(Admin),
        r#"{"name":"account"}"#,
    ),
    with_body(
        "post",
        "/api/v1/environments/{env}/import",
        User(Editor),
        r#"{"segments":[]}"#,
    ),
    route("get", "/api/v1/environments/{env}/retention", User(Viewer)),
    route(
        "post",
        "/api/v1/environments/{env}/retention/run",
        User(Admin),
    ),
    route("get", "/api/v1/environments/{env}/usage", User(Viewer)),
    route(
        "get",
        "/api/v1/environments/{env}/event-types",
        User(Viewer),
    ),
    route(
        "get",
        "/api/v1/environments/{env}/impressions/live",
        User(Viewer),
    ),
    route(
        "get",
        "/api/v1/environments/{env}/events/live",
        User(Viewer),
    ),
    route(
        "get",
        "/api/v1/environments/{env}/impressions/export",
        User(Viewer),
    ),
    route(
        "get",
        "/api/v1/environments/{env}/events/export",
        User(Viewer),
    ),
    route(
        "get",
        "/api/v1/environments/{env}/impressions/count",
        User(Viewer),
    ),
    route(
        "get",
        "/api/v1/environments/{env}/events/count",
        User(Viewer),
    ),
    with_body(
        "post",
        "/api/v1/environments/{env}/exports",
        User(Viewer),
        "{}",
    ),
    route("get", "/api/v1/environments/{env}/exports", User(Viewer)),
    route(
        "get",
        "/api/v1/environments/{env}/exports/{id}",
        User(Viewer),
    ),
    route(
        "get",
        "/api/v1/environments/{env}/exports/{id}/download",
        User(Viewer),
    ),
    // Sinks: admins configure them and act on them; every role reads their health.
    with_body(
        "post",
        "/api/v1/environments/{env}/sinks",
        User(Admin),
        r#"{"kind":"file","name":"rbac","config":{"dir":"rbac"}}"#,
    ),
    route("get", "/api/v1/environments/{env}/sinks", User(Viewer)),
    route("get", "/api/v1/environments/{env}/sinks/{id}", User(Viewer)),
    with_body(
        "patch",
        "/api/v1/environments/{env}/sinks/{id}",
        User(Admin),
        "{}",
    ),
    route(
        "delete",
        "/api/v1/environments/{env}/sinks/{id}",
        User(Admin),
    ),
    route(
        "post",
        "/api/v1/environments/{env}/sinks/{id}/pause",
        User(Admin),
    ),
    route(
        "post",
        "/api/v1/environments/{env}/sinks/{id}/resume",
        User(Admin),
    ),
    route(
        "post",
        "/api/v1/environments/{env}/sinks/{id}/test",
        User(Admin),
    ),
    with_body(
        "post",
        "/api/v1/environments/{env}/sinks/{id}/replay",
        User(Admin),
        r#"{"from":0}"#,
    ),
    route(
        "get",
        "/api/v1/environments/{env}/sinks/{id}/dead-letters",
        User(Viewer),
    ),
    route(
        "post",
        "/api/v1/environments/{env}/sinks/{id}/dead-letters/retry",
        User(Admin),
    ),
    // Metrics: editors and admins write them; every role reads them and their impact.
    with_body(
        "post",
        "/api/v1/environments/{env}/metrics",
        User(Editor),
        r#"{"name":"rbac","event_type":"purchase","aggregation":"count","direction":"increase"}"#,
    ),
    route("get", "/api/v1/environments/{env}/metrics", User(Viewer)),
    route(
        "get",
        "/api/v1/environments/{env}/metrics/{id}",
        User(Viewer),
    ),
    with_body(
        "patch",
        "/api/v1/environments/{env}/metrics/{id}",
        User(Editor),
        "{}",
    ),
    route(
        "delete",
        "/api/v1/environments/{env}/metrics/{id}",
        User(Editor),
    ),
    with_call(
        "get",
        "/api/v1/environments/{env}/flags/{flag}/impact",
        User(Viewer),
        "/api/v1/environments/{env}/flags/{flag}/impact?metric={id}",
    ),
    // Alert policies: editors and admins write and evaluate them; every role reads them and
    // the alerts.
    with_body(
        "post",
        "/api/v1/environments/{env}/alert-policies",
        User(Editor),
        r#"{"metric_id":999999,"threshold":0.05}"#,
    ),
    route(
        "get",
        "/api/v1/environments/{env}/alert-policies",
        User(Viewer),
    ),
    with_body(
        "patch",
        "/api/v1/environments/{env}/alert-policies/{id}",
        User(Editor),
        "{}",
    ),
    route(
        "delete",
        "/api/v1/environments/{env}/alert-policies/{id}",
        User(Editor),
    ),
    route(
        "post",
        "/api/v1/environments/{env}/alert-policies/{id}/evaluate",
        User(Editor),
    ),
    route("get", "/api/v1/environments/{env}/alerts", User(Viewer)),
    // Without an `Authorization` header they also take a beacon envelope (`beacons.rs`).
    with_body("post", "/api/v1/impressions", SdkKey { client: true }, "[]"),
    with_body("post", "/api/v1/events", SdkKey { client: true }, "[]"),
    with_body("post", "/api/v1/exposures", ANY_KEY, "[]"),
    with_body("post", "/api/testImpressions/bulk", ANY_KEY, "[]"),
    with_body(
        "post",
        "/api/testImpressions/count",
        ANY_KEY,
        r#"{"pf":[]}"#,
    ),
    with_body("post", "/api/events/bulk", ANY_KEY, "[]"),
    with_body("post", "/api/v1/keys/ss", SERVER_KEY, r#"{"keys":[]}"#),
    with_body("post", "/api/v1/keys/cs", ANY_KEY, r#"{"keys":[]}"#),
    with_body("post", "/api/v1/metrics/{kind}", ANY_KEY, "{}"),
    with_body("post", "/api/v1/evaluate", ANY_KEY, r#"{"key":"u1"}"#),
    with_call(
        "get",
        "/api/splitChanges",
        ANY_KEY,
        "/api/splitChanges?since=-1",
    ),
    with_call(
        "get",
        "/api/segmentChanges/{name}",
        SERVER_KEY,
        "/api/segmentChanges/{name}?since=-1",
    ),
    route("get", "/api/memberships/{key}", ANY_KEY),
    route("get", "/api/v2/auth", ANY_KEY),
    with_body("post", "/api/testImpressions/beacon", Beacon, "[]"),
    with_body(
        "post",
        "/api/testImpressions/count/beacon",
        Beacon,
        r#"{"pf":[]}"#,
    ),
    with_body("post", "/api/events/beacon", Beacon, "[]"),
    with_body("post", "/api/v1/keys/cs/beacon", Beacon, r#"{"keys":[]}"#),
    with_body("post", "/api/v1/metrics/{kind}/beacon", Beacon, "{}"),
    with_body(
        "post",
        "/ofrep/v1/evaluate/flags/{key}",
        ANY_KEY,
        r#"{"context":{"targetingKey":"u1"}}"#,
    ),
    with_body(
        "post",
        "/ofrep/v1/evaluate/flags",
        ANY_KEY,
        r#"{"context":{"targetingKey":"u1"}}"#,
    ),
];
