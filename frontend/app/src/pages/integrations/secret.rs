//! A webhook's signing secret, shown once right after the sink was created.

use leptos::prelude::*;

use crate::pages::environments::secret::CopyButton;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSecret {
    /// The sink's name.
    pub sink: String,
    pub secret: String,
}

#[component]
pub fn RevealedSecret(secret: NewSecret, #[prop(into)] on_done: Callback<()>) -> impl IntoView {
    view! {
        <section class="panel secret-box sink-secret" aria-labelledby="sink-secret-title">
            <h2 id="sink-secret-title">{format!("Signing secret of {}", secret.sink)}</h2>
            <p class="secret-warning">
                <strong>"Copy it now: you will not see it again. "</strong>
                "Your receiver checks each request's webhook-signature header with it (Standard Webhooks). "
                "If it is lost, delete the integration and create a new one."
            </p>
            <div class="secret-row">
                <code data-testid="sink-secret">{secret.secret.clone()}</code>
                <CopyButton text=secret.secret label="Copy signing secret" />
            </div>
            <div class="form-actions start">
                <button type="button" class="primary" on:click=move |_| on_done.run(())>"I've copied the secret"</button>
            </div>
        </section>
    }
    .into_any()
}
