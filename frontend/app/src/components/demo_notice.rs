//! The notice a server started with `imprint serve --demo` shows on the overview: the demo
//! traffic runs (or not), and admins stop or start it. Nothing shows on other servers.

use imprint_types::{DemoStatus, Role};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::format::grouped;
use crate::session::use_session;

#[component]
pub fn DemoNotice() -> impl IntoView {
    let is_admin = use_session()
        .user()
        .is_some_and(|u| u.role.allows(Role::Admin));
    let status = RwSignal::new(None::<DemoStatus>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let loaded = LocalResource::new(|| api::get::<DemoStatus>("/api/v1/demo"));
    Effect::new(move |_| {
        if let Some(Ok(s)) = loaded.get() {
            status.set(Some(s));
        }
    });
    let switch = move |to: &'static str| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let answer = api::post::<_, DemoStatus>(&format!("/api/v1/demo/{to}"), &()).await;
            let _ = busy.try_set(false);
            match answer {
                Ok(s) => {
                    let _ = status.try_set(Some(s));
                }
                Err(e) => {
                    let _ = error.try_set(Some(e.sentence()));
                }
            }
        });
    };

    move || {
        let s = status.get().filter(|s| s.available)?;
        let env = s.environment.clone().unwrap_or_default();
        let (class, text) = if s.running {
            (
                "notice ok demo-notice",
                format!(
                    "Demo traffic is running: about {} simulated visits a second to the `{env}` \
                     environment ({} impressions and {} events so far). `new_checkout`'s `on` \
                     raises checkout conversion from 10% to 15%.",
                    s.visits_per_second,
                    grouped(s.impressions_sent as i64),
                    grouped(s.events_sent as i64)
                ),
            )
        } else {
            (
                "notice warn demo-notice",
                format!("Demo traffic is stopped. The `{env}` environment keeps what it received."),
            )
        };
        let (label, to) = if s.running {
            ("Stop", "stop")
        } else {
            ("Start", "start")
        };
        Some(view! {
            <div class=class role="status">
                <span>{text}</span>
                {is_admin.then(|| view! {
                    <button type="button" class="secondary small" disabled=move || busy.get()
                        on:click=move |_| switch(to)>
                        {label}
                    </button>
                })}
                {move || error.get().map(|e| view! { <span class="form-error" role="alert">{e}</span> })}
            </div>
        })
    }
}
