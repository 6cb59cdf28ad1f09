use imprint_types::{LoginRequest, LoginResponse};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

use crate::api;
use crate::components::icons::Logo;

/// The sign-in form. It submits through the REST API from the browser, so it only becomes
/// usable once the page has hydrated: the button stays disabled until then.
#[component]
pub fn LoginPage() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let show_password = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let hydrated = RwSignal::new(false);
    // Effects only run in the browser, so this marks the moment the page became interactive.
    Effect::new(move |_| hydrated.set(true));

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        let body = LoginRequest {
            email: email.get_untracked(),
            password: password.get_untracked(),
        };
        spawn_local(async move {
            match api::post::<_, LoginResponse>("/api/v1/auth/login", &body).await {
                Ok(_) => api::go_to("/"),
                Err(e) => {
                    error.set(Some(e.message));
                    pending.set(false);
                }
            }
        });
    };

    view! {
        <Title text="Sign in" />
        <main class="login">
            <section class="login-card" aria-labelledby="login-title">
                <div class="login-brand">
                    <Logo />
                    <span>"Imprint"</span>
                </div>
                <h1 id="login-title">"Sign in to your console"</h1>
                <p class="muted">"Feature-flag impressions, live and on your own servers."</p>
                <form on:submit=submit novalidate>
                    <label for="email">"Email"</label>
                    <input
                        id="email"
                        name="email"
                        type="email"
                        autocomplete="username"
                        required
                        prop:value=email
                        on:input=move |ev| email.set(event_target_value(&ev))
                    />
                    <label for="password">"Password"</label>
                    <div class="password-field">
                        <input
                            id="password"
                            name="password"
                            type=move || if show_password.get() { "text" } else { "password" }
                            autocomplete="current-password"
                            required
                            prop:value=password
                            on:input=move |ev| password.set(event_target_value(&ev))
                        />
                        <button
                            type="button"
                            class="ghost small"
                            aria-pressed=move || show_password.get().to_string()
                            on:click=move |_| show_password.update(|shown| *shown = !*shown)
                        >
                            {move || if show_password.get() { "Hide" } else { "Show" }}
                        </button>
                    </div>
                    <Show when=move || error.get().is_some()>
                        <p class="form-error" role="alert">{move || error.get()}</p>
                    </Show>
                    <button
                        type="submit"
                        class="primary wide"
                        disabled=move || !hydrated.get() || pending.get()
                    >
                        {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </form>
            </section>
        </main>
    }
}
