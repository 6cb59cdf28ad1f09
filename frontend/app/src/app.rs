use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use crate::components::shell::SignedInShell;
use crate::pages::account::AccountPage;
use crate::pages::alerts::AlertsPage;
use crate::pages::audit::AuditPage;
use crate::pages::data_hub::DataHubPage;
use crate::pages::environments::EnvironmentsPage;
use crate::pages::events::EventsPage;
use crate::pages::export::ExportPage;
use crate::pages::flag::FlagPage;
use crate::pages::flags::FlagsPage;
use crate::pages::home::HomePage;
use crate::pages::integrations::IntegrationsPage;
use crate::pages::login::LoginPage;
use crate::pages::metrics::MetricsPage;
use crate::pages::not_found::NotFound;
use crate::pages::users::UsersPage;
use crate::session::{provide_session, SessionScript};

/// The whole HTML document, rendered on the server around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="stylesheet" href="/assets/imprint.css" />
                <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
                <ScriptPolicy />
                <SessionScript />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The page's script policy: only scripts from this origin, and inline scripts carrying this
/// response's nonce (Leptos puts it on its hydration and streaming scripts), so an injected
/// inline script does not run. It must come before every script in the head. The server's
/// `Content-Security-Policy` header holds the rest of the policy; browsers enforce both.
#[component]
fn ScriptPolicy() -> impl IntoView {
    use_nonce().map(|nonce| {
        let policy = format!("script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'");
        view! { <meta http-equiv="Content-Security-Policy" content=policy /> }
    })
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_session();

    view! {
        <Title formatter=|page: String| {
            if page.is_empty() { "Imprint".to_owned() } else { format!("{page} · Imprint") }
        } />
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage />
                <ParentRoute path=path!("") view=SignedInShell>
                    <Route path=path!("") view=HomePage />
                    <Route path=path!("account") view=AccountPage />
                    <Route path=path!("environments") view=EnvironmentsPage />
                    <Route path=path!("users") view=UsersPage />
                    <Route path=path!("audit") view=AuditPage />
                    <Route path=path!("e/:env") view=FlagsPage />
                    <Route path=path!("e/:env/live") view=DataHubPage />
                    <Route path=path!("e/:env/events") view=EventsPage />
                    <Route path=path!("e/:env/metrics") view=MetricsPage />
                    <Route path=path!("e/:env/alerts") view=AlertsPage />
                    <Route path=path!("e/:env/export") view=ExportPage />
                    <Route path=path!("e/:env/integrations") view=IntegrationsPage />
                    <Route path=path!("e/:env/flags/:flag") view=FlagPage />
                    <Route path=path!("e/:env/flags/:flag/:tab") view=FlagPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
