//! The RBAC matrix: every route of the OpenAPI document × every kind of caller, with who may
//! call what written once in `ROUTES`. A route in the document without a row here (or a row
//! for a route that is gone) fails the test, so a new route is guarded on purpose.
//!
//! Outcomes are compared by class: 401 (no usable credential), 403 (a credential that may
//! not do this), or allowed (anything else below 500: success, or a 4xx about the request
//! itself, such as validation or a missing resource).

use std::collections::BTreeSet;

use reqwest::{Client, Method, RequestBuilder, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Anonymous,
    ViewerSession,
    EditorSession,
    AdminSession,
    ViewerToken,
    EditorToken,
    AdminToken,
    ServerKey,
    ClientKey,
}

const CALLERS: [Caller; 9] = [
    Caller::Anonymous,
    Caller::ViewerSession,
    Caller::EditorSession,
    Caller::AdminSession,
    Caller::ViewerToken,
    Caller::EditorToken,
    Caller::AdminToken,
    Caller::ServerKey,
    Caller::ClientKey,
];

/// Roles in the order of what they allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    Viewer,
    Editor,
    Admin,
}

impl Caller {
    fn user_role(self) -> Option<Role> {
        match self {
            Caller::ViewerSession | Caller::ViewerToken => Some(Role::Viewer),
            Caller::EditorSession | Caller::EditorToken => Some(Role::Editor),
            Caller::AdminSession | Caller::AdminToken => Some(Role::Admin),
            _ => None,
        }
    }
}

/// Who may call a route.
#[derive(Debug, Clone, Copy)]
enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Signing in: anyone, with the right password.
    SignIn,
    /// A console user (session or personal API token) with at least this role.
    User(Role),
    /// An environment's SDK key: server-side keys always; client-side keys when `client`.
    SdkKey { client: bool },
    /// A `navigator.sendBeacon` post: any SDK key, as `token` in a text/plain envelope
    /// around `body`. Other callers put their own secret there (or none).
    Beacon,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Allowed,
    Unauthenticated,
    Forbidden,
}

impl Access {
    fn expected(self, caller: Caller) -> Outcome {
        match self {
            Access::Public | Access::SignIn => Outcome::Allowed,
            Access::User(required) => match caller.user_role() {
                None => Outcome::Unauthenticated,
                Some(role) if role >= required => Outcome::Allowed,
                Some(_) => Outcome::Forbidden,
            },
            Access::SdkKey { client } => match caller {
                Caller::ServerKey => Outcome::Allowed,
                Caller::ClientKey if client => Outcome::Allowed,
                Caller::ClientKey => Outcome::Forbidden,
                _ => Outcome::Unauthenticated,
            },
            Access::Beacon => match caller {
                Caller::ServerKey | Caller::ClientKey => Outcome::Allowed,
                _ => Outcome::Unauthenticated,
            },
        }
    }
}

struct Route {
    method: &'static str,
    /// As in the OpenAPI document.
    path: &'static str,
    access: Access,
    /// The path to call, when it needs a query; `{…}` parameters are filled in by `concrete`.
    call: Option<&'static str>,
    /// A body that is well-formed, so that refusals come from authorisation, not parsing.
    body: Option<&'static str>,
}

const fn route(method: &'static str, path: &'static str, access: Access) -> Route {
    Route {
        method,
        path,
        access,
        call: None,
        body: None,
    }
}

const fn with_body(
    method: &'static str,
    path: &'static str,
    access: Access,
    body: &'static str,
) -> Route {
    Route {
        method,
        path,
        access,
        call: None,
        body: Some(body),
    }
}

const fn with_call(
    method: &'static str,
    path: &'static str,
    access: Access,
    call: &'static str,
) -> Route {
    Route {
        method,
        path,
        access,
        call: Some(call),
        body: None,
    }
}

mod table;
use table::ROUTES;
use Access::{Beacon, SignIn};

/// Credentials of every kind of caller, against one app.
struct Callers {
    viewer: Session,
    editor: Session,
    admin: Session,
    viewer_token: String,
    editor_token: String,
    admin_token: String,
    server_key: String,
    client_key: String,
    /// A user the admin rows may change freely.
    spare_user: i64,
}

async fn token_of(app: &TestApp, session: &Session) -> String {
    let created: Value = session
        .post(app, "/api/v1/tokens", &json!({ "name": "matrix" }))
        .await
        .json()
        .await
        .unwrap();
    created["token"].as_str().unwrap().to_owned()
}

impl Callers {
    async fn new(app: &TestApp) -> Callers {
        let env = app.environment("production").await;
        let viewer = app.user_with_role("viewer").await;
        let editor = app.user_with_role("editor").await;
        let admin = app.admin_session().await;
        let spare: Value = admin
            .post(
                app,
                "/api/v1/users",
                &json!({ "email": "spare@example.com", "password": "a long enough password", "role": "viewer" }),
            )
            .await
            .json()
            .await
            .unwrap();
        Callers {
            viewer_token: token_of(app, &viewer).await,
            editor_token: token_of(app, &editor).await,
            admin_token: token_of(app, &admin).await,
            viewer,
            editor,
            admin,
            server_key: env.server_key,
            client_key: env.client_key,
            spare_user: spare["id"].as_i64().unwrap(),
        }
    }

    fn request(&self, caller: Caller, method: Method, url: &str) -> RequestBuilder {
        let session = |s: &Session| {
            s.client
                .request(method.clone(), url)
                .header("X-CSRF-Token", &s.csrf)
        };
        let bearer = |secret: &str| {
            Client::new()
                .request(method.clone(), url)
                .bearer_auth(secret)
        };
        match caller {
            Caller::Anonymous => Client::new().request(method.clone(), url),
            Caller::ViewerSession => session(&self.viewer),
            Caller::EditorSession => session(&self.editor),
            Caller::AdminSession => session(&self.admin),
            Caller::ViewerToken => bearer(&self.viewer_token),
            Caller::EditorToken => bearer(&self.editor_token),
            Caller::AdminToken => bearer(&self.admin_token),
            Caller::ServerKey => bearer(&self.server_key),
            Caller::ClientKey => bearer(&self.client_key),
        }
    }

    /// What the caller puts in a beacon's `token`: its own secret, if it has one.
    fn beacon_token(&self, caller: Caller) -> &str {
        match caller {
            Caller::ViewerToken => &self.viewer_token,
            Caller::EditorToken => &self.editor_token,
            Caller::AdminToken => &self.admin_token,
            Caller::ServerKey => &self.server_key,
            Caller::ClientKey => &self.client_key,
            _ => "",
        }
    }

    /// The route's path with its parameters filled in.
    fn concrete(&self, route: &Route) -> String {
        let id = if route.path.starts_with("/api/v1/users/") {
            self.spare_user.to_string()
        } else {
            "999999".to_owned()
        };
        route
            .call
            .unwrap_or(route.path)
            .replace("{env}", "production")
            .replace("{flag}", "checkout")
            .replace("{segment}", "beta")
            .replace("{name}", "beta")
            .replace("{key}", "u1")
            .replace("{kind}", "usage")
            .replace("{id}", &id)
    }
}

fn outcome(response: &reqwest::Response) -> Outcome {
    match response.status() {
        StatusCode::UNAUTHORIZED => Outcome::Unauthenticated,
        StatusCode::FORBIDDEN => Outcome::Forbidden,
        // Live tails stream until closed: dropping the response closes them.
        _ => Outcome::Allowed,
    }
}

#[actix_web::test]
async fn the_matrix_lists_every_route_of_the_openapi_document() {
    let app = spawn_app().await;
    let doc: Value = Client::new()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, methods)| {
            methods
                .as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.clone(), path.clone()))
        })
        .collect();
    let listed: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();
    assert_eq!(listed.len(), ROUTES.len(), "a route is listed twice");
    let unlisted: Vec<_> = documented.difference(&listed).collect();
    let gone: Vec<_> = listed.difference(&documented).collect();
    assert!(
        unlisted.is_empty() && gone.is_empty(),
        "routes without a row in ROUTES: {unlisted:?}; rows for routes no longer documented: {gone:?}"
    );
}

#[actix_web::test]
async fn every_route_answers_every_caller_as_the_matrix_says() {
    let app = spawn_app_with(|s| {
        // The matrix signs in and checks passwords many times from one address.
        s.accounts.login_address_free_failures = 1_000;
        s.accounts.login_account_free_failures = 1_000;
        s.accounts.live_tails_per_user = 100;
        s.accounts.export_jobs_per_user = 100;
    })
    .await;
    let callers = Callers::new(&app).await;
    // Signing out ends the sessions the other rows use: it goes last.
    let mut routes: Vec<&Route> = ROUTES.iter().collect();
    routes.sort_by_key(|r| r.path == "/api/v1/auth/logout");

    let mut wrong = Vec::new();
    for route in routes {
        let path = callers.concrete(route);
        let method = Method::from_bytes(route.method.to_uppercase().as_bytes()).unwrap();
        for caller in CALLERS {
            let request = match route.access {
                // Signing in from a fresh client, so no caller's cookie jar gets a new session.
                SignIn => Client::new().request(method.clone(), app.url(&path)),
                // A beacon carries no headers of its own: the caller's secret goes in the body.
                Beacon => {
                    let entries: Value =
                        serde_json::from_str(route.body.unwrap_or("null")).unwrap();
                    let envelope =
                        json!({ "entries": entries, "token": callers.beacon_token(caller) });
                    Client::new()
                        .request(method.clone(), app.url(&path))
                        .header("content-type", "text/plain")
                        .body(envelope.to_string())
                }
                _ => callers.request(caller, method.clone(), &app.url(&path)),
            };
            let request = match (route.access, route.body) {
                (Beacon, _) | (_, None) => request,
                (_, Some(body)) => request
                    .header("content-type", "application/json")
                    .body(body),
            };
            let response = request.send().await.unwrap();
            let status = response.status();
            let expected = route.access.expected(caller);
            if status.is_server_error() || outcome(&response) != expected {
                wrong.push(format!(
                    "{} {path} as {caller:?}: {status}, expected {expected:?}",
                    route.method.to_uppercase()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
