use leptos::prelude::*;
use leptos_meta::Title;

use crate::session::use_session;

/// The landing page after sign-in: what Imprint does and where to start.
#[component]
pub fn HomePage() -> impl IntoView {
    let session = use_session();
    let name = session
        .user()
        .map(|user| user.email.split('@').next().unwrap_or_default().to_owned())
        .unwrap_or_default();
    view! {
        <Title text="Overview" />
        <header class="page-header">
            <div>
                <h1>"Welcome, " {name}</h1>
                <p class="muted">
                    "Every time an SDK evaluates a flag it records an impression: who, which flag, which treatment and why."
                </p>
            </div>
        </header>
        <section class="cards">
            <article class="card">
                <h2>"1 · Create an environment"</h2>
                <p>"Each environment has its own SDK keys, flags, tracking toggles and retention."</p>
            </article>
            <article class="card">
                <h2>"2 · Point an SDK here"</h2>
                <p>"Unmodified Split SDKs work against Imprint: set their URLs to this server."</p>
            </article>
            <article class="card">
                <h2>"3 · Watch impressions arrive"</h2>
                <p>"Follow traffic per treatment, tail impressions live and export them."</p>
            </article>
        </section>
    }
}
