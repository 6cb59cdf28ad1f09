//! A policy webhook's signing secret, shown once right after the policy was created.

use leptos::prelude::*;

use crate::pages::environments::secret::CopyButton;

#[component]
pub fn PolicySecret(secret: String, #[prop(into)] on_done: Callback<()>) -> impl IntoView {
    view! {
        <section class="panel secret-box" aria-labelledby="policy-secret-title">
            <h2 id="policy-secret-title">"Webhook signing secret"</h2>
            <p class="secret-warning">
                <strong>"Copy it now: you will not see it again. "</strong>
                "Your receiver checks each alert's webhook-signature header with it (Standard Webhooks). "
                "If it is lost, delete the policy and create a new one."
            </p>
            <div class="secret-row">
                <code data-testid="policy-secret">{secret.clone()}</code>
                <CopyButton text=secret label="Copy signing secret" />
            </div>
            <div class="form-actions start">
                <button type="button" class="primary" on:click=move |_| on_done.run(())>"I've copied the secret"</button>
            </div>
        </section>
    }
    .into_any()
}
