//! An environment's retention: how long it keeps impressions and hourly counts, its last
//! purge, and (admins) a purge on demand. Self-contained: mount it with the environment's name,
//! e.g. `<RetentionPanel env=name />` on the environment's settings.

use imprint_types::{RetentionRunView, RetentionView, Role};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::format::{date_time, grouped, parse_iso_ms};
use crate::session::use_session;

fn when(iso: &str) -> String {
    parse_iso_ms(iso)
        .map(date_time)
        .unwrap_or_else(|| iso.to_owned())
}

#[component]
pub fn RetentionPanel(#[prop(into)] env: Signal<String>) -> impl IntoView {
    let is_admin = use_session()
        .user()
        .is_some_and(|u| u.role.allows(Role::Admin));
    let view_data = LocalResource::new(move || {
        let path = format!("/api/v1/environments/{}/retention", env.get());
        async move { api::get::<RetentionView>(&path).await }
    });
    let running = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<RetentionRunView, String>>);
    let run_now = move |_| {
        running.set(true);
        outcome.set(None);
        let path = format!("/api/v1/environments/{}/retention/run", env.get_untracked());
        spawn_local(async move {
            let answer = api::post::<_, RetentionRunView>(&path, &()).await;
            let _ = running.try_set(false);
            let _ = outcome.try_set(Some(answer.map_err(|e| e.sentence())));
            view_data.refetch();
        });
    };

    view! {
        <section class="panel retention-panel" aria-labelledby="retention-title">
            <div class="retention-head">
                <h2 id="retention-title">"Retention"</h2>
                {is_admin.then(|| view! {
                    <button type="button" class="secondary small" on:click=run_now disabled=move || running.get()>
                        {move || if running.get() { "Purging…" } else { "Run purge now" }}
                    </button>
                })}
            </div>
            {move || match view_data.get() {
                None => view! { <p class="muted">"Loading retention…"</p> }.into_any(),
                Some(Err(e)) => view! {
                    <p class="form-error" role="alert">{format!("Retention could not be loaded. {}", e.sentence())}</p>
                }.into_any(),
                Some(Ok(r)) => view! {
                    <p>
                        "Impressions and events are kept " <strong>{format!("{} days", r.retention_days)}</strong>
                        "; hourly counts (the monitoring charts) " <strong>{format!("{} days", r.counts_retention_days)}</strong> "."
                    </p>
                    {match r.last_run {
                        None => view! { <p class="muted">"No purge has run yet."</p> }.into_any(),
                        Some(run) => view! { <LastRun run=run /> }.into_any(),
                    }}
                }.into_any(),
            }}
            <div role="status" aria-live="polite">
                {move || outcome.get().map(|o| match o {
                    Ok(run) => view! {
                        <p class="retention-done">{format!(
                            "Purge finished: {} impressions, {} events and {} hourly counts deleted.",
                            grouped(run.impressions_deleted), grouped(run.events_deleted), grouped(run.counts_deleted)
                        )}</p>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error">{format!("The purge did not run. {e}")}</p> }.into_any(),
                })}
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn LastRun(run: RetentionRunView) -> impl IntoView {
    let by = match (run.reason.as_str(), run.triggered_by.clone()) {
        ("manual", Some(who)) => format!("run by {who}"),
        ("manual", None) => "run by hand".to_owned(),
        _ => "scheduled".to_owned(),
    };
    view! {
        <dl class="retention-facts">
            <div><dt>"Last purge"</dt><dd>{when(&run.finished_at)} <span class="muted">{format!(" · {by}")}</span></dd></div>
            <div><dt>"Deleted data received before"</dt><dd>{when(&run.cutoff)}</dd></div>
            <div><dt>"Impressions deleted"</dt><dd class="mono">{grouped(run.impressions_deleted)}</dd></div>
            <div><dt>"Events deleted"</dt><dd class="mono">{grouped(run.events_deleted)}</dd></div>
            <div><dt>"Hourly counts deleted"</dt><dd class="mono">{grouped(run.counts_deleted)}</dd></div>
            <div><dt>"Unused strings deleted"</dt><dd class="mono" title="Treatments, labels, SDK and machine names no stored row uses any more; shared by every environment">{grouped(run.strings_deleted)}</dd></div>
        </dl>
    }
}
