//! Data export (`/e/{env}/export`): impressions or `track()` events; criteria, a preview of the
//! first rows, a direct download of the streaming export, and export jobs for large ranges.

mod jobs;
mod model;
mod preview;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api;
use crate::components::live_tail::criteria::Criteria;
use crate::components::retention_panel::RetentionPanel;
use crate::env::percent_decode;
use jobs::{jobs_resource, JobList, JobView};
pub use model::local_input_ms;
use model::ExportForm;
use preview::{fetch_preview, Preview, PreviewTable};

const FORMATS: [(&str, &str); 3] = [("csv", "CSV"), ("ndjson", "NDJSON"), ("parquet", "Parquet")];

#[component]
pub fn ExportPage() -> impl IntoView {
    let params = use_params_map();
    let env = Memo::new(move |_| percent_decode(&params.read().get("env").unwrap_or_default()));
    let form = RwSignal::new(ExportForm::default());
    let preview = RwSignal::new(None::<Result<Preview, String>>);
    let previewing = RwSignal::new(false);
    let creating = RwSignal::new(false);
    let job_error = RwSignal::new(None::<String>);
    let jobs = jobs_resource(env);
    let problem = move || form.with(ExportForm::problem);
    let export_url = move |format: &str, gzip: bool| {
        format!(
            "/api/v1/environments/{}/{}/export?{}",
            env.get(),
            form.with(ExportForm::kind),
            form.with(|f| f.query(format, gzip))
        )
    };

    let run_preview = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if problem().is_some() {
            return;
        }
        let url = export_url("ndjson", false);
        let count_url = format!(
            "/api/v1/environments/{}/{}/count?{}",
            env.get(),
            form.with(ExportForm::kind),
            form.with(|f| f.query("ndjson", false))
        );
        previewing.set(true);
        let events = form.with_untracked(|f| f.events);
        spawn_local(async move {
            let answer = fetch_preview(&url, &count_url, events).await;
            let _ = previewing.try_set(false);
            let _ = preview.try_set(Some(answer));
        });
    };
    let create_job = move |_| {
        if problem().is_some() {
            return;
        }
        let body = form.with_untracked(ExportForm::job);
        let path = format!("/api/v1/environments/{}/exports", env.get_untracked());
        creating.set(true);
        job_error.set(None);
        spawn_local(async move {
            let answer = api::post::<_, JobView>(&path, &body).await;
            let _ = creating.try_set(false);
            match answer {
                Ok(_) => jobs.refetch(),
                Err(e) => {
                    let _ = job_error
                        .try_set(Some(format!("The job was not created. {}", e.sentence())));
                }
            }
        });
    };
    let text = move |id: &'static str,
                     label: &'static str,
                     hint: &'static str,
                     get: fn(&Criteria) -> &String,
                     set: fn(&mut Criteria, String)| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id type="text" autocomplete="off" spellcheck="false" placeholder=hint
                    prop:value=move || form.with(|f| get(&f.criteria).clone())
                    on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| set(&mut f.criteria, v)); } />
            </div>
        }
    };

    view! {
        <Title text="Data export" />
        <div class="export-page">
            <header class="page-header">
                <div>
                    <h1>"Data export"</h1>
                    <p class="muted">{move || format!("Download the impressions or track() events stored in {}, as CSV, NDJSON or Parquet.", env.get())}</p>
                </div>
            </header>
            <div class="callout export-note" role="note">
                <strong>"Exports contain only what Imprint stored. "</strong>
                "Impressions of a flag whose tracking was off were never stored, so those periods are simply absent; "
                "impressions older than the environment's retention have been purged."
            </div>
            <form class="panel export-form" on:submit=run_preview aria-label="Export criteria">
                <fieldset class="field choice export-kind">
                    <legend>"Export"</legend>
                    <label class="radio"><input type="radio" name="export-kind" prop:checked=move || !form.with(|f| f.events)
                        on:change=move |_| { preview.set(None); form.update(|f| f.events = false) } />"Impressions"</label>
                    <label class="radio"><input type="radio" name="export-kind" prop:checked=move || form.with(|f| f.events)
                        on:change=move |_| { preview.set(None); form.update(|f| f.events = true) } />"Events"</label>
                </fieldset>
                <div class="criteria-grid">
                    <Show when=move || form.with(|f| f.events)
                        fallback=move || view! {
                            {text("export-flag", "Flags", "any flag; a, b for several", |c| &c.flag, |c, v| c.flag = v)}
                            {text("export-treatment", "Treatments", "any; on, off for several", |c| &c.treatment, |c, v| c.treatment = v)}
                        }>
                        {text("export-event-type", "Event types", "any; a, b for several", |c| &c.event_type, |c, v| c.event_type = v)}
                    </Show>
                    {text("export-key", "Key", "any", |c| &c.key, |c, v| c.key = v)}
                    <Show when=move || !form.with(|f| f.events)>
                        {text("export-label", "Label", "any", |c| &c.label, |c, v| c.label = v)}
                        {text("export-sdk", "SDK", "e.g. nodejs-11.1.0", |c| &c.sdk, |c, v| c.sdk = v)}
                    </Show>
                    {text("export-properties", "Properties", "NAME=VALUE, …", |c| &c.properties, |c, v| c.properties = v)}
                    <div class="field">
                        <label for="export-from">"From"</label>
                        <input id="export-from" type="datetime-local" prop:value=move || form.with(|f| f.from.clone())
                            on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| f.from = v); } />
                    </div>
                    <div class="field">
                        <label for="export-to">"To"</label>
                        <input id="export-to" type="datetime-local" prop:value=move || form.with(|f| f.to.clone())
                            on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| f.to = v); } />
                    </div>
                    <fieldset class="field choice">
                        <legend>"Times are"</legend>
                        <label class="radio"><input type="radio" name="time-field" prop:checked=move || !form.with(|f| f.by_reception)
                            on:change=move |_| form.update(|f| f.by_reception = false) />"Evaluation time"</label>
                        <label class="radio"><input type="radio" name="time-field" prop:checked=move || form.with(|f| f.by_reception)
                            on:change=move |_| form.update(|f| f.by_reception = true) />"Reception time (misses no late arrival)"</label>
                    </fieldset>
                    <div class="field">
                        <label for="export-format">"Format"</label>
                        <select id="export-format" prop:value=move || form.with(|f| f.format.clone())
                            on:change=move |ev| { let v = event_target_value(&ev); form.update(|f| f.format = v); }>
                            {FORMATS.iter().map(|(value, name)| view! { <option value=*value>{*name}</option> }).collect_view()}
                        </select>
                        <label class="checkbox"><input type="checkbox" prop:checked=move || form.with(|f| f.gzip)
                            on:change=move |ev| { let on = event_target_checked(&ev); form.update(|f| f.gzip = on); } />"Compress with gzip"</label>
                    </div>
                </div>
                {move || problem().map(|p| view! { <p class="form-error" role="alert">{p}</p> })}
                <div class="criteria-actions">
                    <button type="submit" class="secondary small" disabled=move || previewing.get()>
                        {move || if previewing.get() { "Loading preview…" } else { "Preview" }}
                    </button>
                    <a class="button primary small" data-testid="download-export"
                        href=move || export_url(&form.with(|f| f.format.clone()), form.with(|f| f.gzip))
                        download="" aria-disabled=move || problem().is_some().to_string()>
                        "Download now"
                    </a>
                    <button type="button" class="secondary small" on:click=create_job disabled=move || creating.get()>
                        {move || if creating.get() { "Creating job…" } else { "Create job" }}
                    </button>
                    <span class="muted small">"Download now streams the file at once; a job writes it in the background for large ranges."</span>
                </div>
                {move || job_error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            </form>
            <section class="panel export-preview" aria-labelledby="preview-title" aria-busy=move || previewing.get().to_string()>
                <h2 id="preview-title">"Preview"</h2>
                <p class="muted small">"The first 20 rows these criteria export, and how many rows match in all. Exports and jobs have no row limit."</p>
                {move || match preview.get() {
                    None => view! { <p class="muted">"Press Preview to see the first rows these criteria export."</p> }.into_any(),
                    Some(Err(e)) => view! { <p class="form-error" role="alert">{format!("The preview could not be loaded. {e}")}</p> }.into_any(),
                    Some(Ok(p)) => view! { <PreviewTable preview=p /> }.into_any(),
                }}
            </section>
            <JobList jobs=jobs />
            <RetentionPanel env=env />
        </div>
    }
    .into_any()
}
