//! Export jobs: the environment's jobs, newest first, with their progress (polled every 2 s
//! while one is queued or running) and their download links until they expire.

use std::time::Duration;

use leptos::prelude::*;
use serde::Deserialize;
use serde_json::Value;

use crate::api::{self, ApiError};
use crate::components::format::{date_time, grouped, parse_iso_ms};

const POLL: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct JobView {
    pub id: i64,
    /// `impressions` or `events`.
    #[serde(default)]
    pub kind: String,
    pub format: String,
    pub gzip: bool,
    pub criteria: Value,
    pub status: String,
    pub rows_written: i64,
    pub percent: Option<f64>,
    pub bytes: i64,
    pub error: Option<String>,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub download: Option<String>,
}

impl JobView {
    fn active(&self) -> bool {
        matches!(self.status.as_str(), "queued" | "running")
    }

    /// "flag checkout · treatment on · from … " or "all impressions".
    fn criteria_text(&self) -> String {
        let mut parts = Vec::new();
        if let Value::Object(map) = &self.criteria {
            for (name, value) in map {
                let text = match value {
                    Value::Array(items) if !items.is_empty() => items
                        .iter()
                        .map(|v| v.as_str().map_or(v.to_string(), str::to_owned))
                        .collect::<Vec<_>>()
                        .join(", "),
                    Value::Object(props) if !props.is_empty() => props
                        .iter()
                        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                        .collect::<Vec<_>>()
                        .join(", "),
                    Value::Number(n) if name == "from" || name == "to" => {
                        n.as_i64().map(date_time).unwrap_or_default()
                    }
                    Value::String(s) if name == "time_field" && s == "received_at" => {
                        "reception time".to_owned()
                    }
                    _ => continue,
                };
                parts.push(format!("{} {text}", name.replace('_', " ")));
            }
        }
        if parts.is_empty() {
            format!("All {}", self.kind_noun())
        } else {
            format!(
                "{}: {}",
                crate::api::display::capitalized(self.kind_noun()),
                parts.join(" · ")
            )
        }
    }

    fn kind_noun(&self) -> &'static str {
        if self.kind == "events" {
            "events"
        } else {
            "impressions"
        }
    }
}

fn size(bytes: i64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{b} bytes"),
    }
}

fn when(iso: &str) -> String {
    parse_iso_ms(iso)
        .map(date_time)
        .unwrap_or_else(|| iso.to_owned())
}

pub type Jobs = LocalResource<Result<Vec<JobView>, ApiError>>;

pub fn jobs_resource(env: Memo<String>) -> Jobs {
    let jobs = LocalResource::new(move || {
        let path = format!("/api/v1/environments/{}/exports", env.get());
        async move { api::get::<Vec<JobView>>(&path).await }
    });
    Effect::new(move |_| {
        let tick = move || {
            let running = jobs
                .get_untracked()
                .and_then(Result::ok)
                .is_some_and(|list| list.iter().any(JobView::active));
            if running {
                jobs.refetch();
            }
        };
        if let Ok(handle) = set_interval_with_handle(tick, POLL) {
            on_cleanup(move || handle.clear());
        }
    });
    jobs
}

#[component]
pub fn JobList(jobs: Jobs) -> impl IntoView {
    view! {
        <section class="panel export-jobs" aria-labelledby="jobs-title">
            <div class="retention-head">
                <h2 id="jobs-title">"Export jobs"</h2>
                <button type="button" class="ghost small" on:click=move |_| jobs.refetch()>"Refresh"</button>
            </div>
            <p class="muted small">"Large exports run in the background, one at a time; their files can be downloaded until they expire."</p>
            {move || match jobs.get() {
                None => view! { <p class="muted">"Loading jobs…"</p> }.into_any(),
                Some(Err(e)) => view! {
                    <p class="form-error" role="alert">{format!("Export jobs could not be loaded. {}", e.sentence())}</p>
                }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted empty">"No export jobs yet."</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="job-list">
                        {list.into_iter().map(|job| view! { <JobItem job=job /> }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
    .into_any()
}

#[component]
fn JobItem(job: JobView) -> impl IntoView {
    let percent = job.percent.unwrap_or(0.0);
    let file = format!(
        "{}{}",
        job.format.to_uppercase(),
        if job.gzip { " · gzip" } else { "" }
    );
    let detail = match job.status.as_str() {
        "done" => format!(
            "{} rows · {}{}",
            grouped(job.rows_written),
            size(job.bytes),
            job.expires_at
                .as_deref()
                .map(|at| format!(" · available until {}", when(at)))
                .unwrap_or_default()
        ),
        "running" => format!("{percent:.0}% · {} rows so far", grouped(job.rows_written)),
        "queued" => "Waiting for the job before it".to_owned(),
        "expired" => "Expired: the file was deleted".to_owned(),
        _ => job
            .error
            .clone()
            .map(|e| crate::api::display::sentence(&e))
            .unwrap_or_else(|| "Failed".to_owned()),
    };
    let status_text = match job.status.as_str() {
        "done" => "Done",
        "running" => "Running",
        "queued" => "Queued",
        "expired" => "Expired",
        _ => "Failed",
    };
    let title = format!("Export #{}", job.id);
    view! {
        <li class=format!("job job-{}", job.status) data-testid="export-job" data-status=job.status.clone()>
            <div class="job-head">
                <strong>{title.clone()}</strong>
                <span class=format!("job-status {}", job.status)>{status_text}</span>
                <span class="muted small">{file}</span>
                <span class="spacer"></span>
                <span class="muted small">{format!("created {}", when(&job.created_at))}</span>
            </div>
            <p class="small job-criteria">{job.criteria_text()}</p>
            {job.active().then(|| view! {
                <progress max="100" value=percent.to_string() aria-label=format!("{title} progress")>
                    {format!("{percent:.0}%")}
                </progress>
            })}
            <div class="job-foot">
                <span class="small muted">{detail}</span>
                {job.download.clone().map(|href| view! {
                    <a class="button primary small" href=href download="" aria-label=format!("Download {title}")>"Download"</a>
                })}
            </div>
        </li>
    }
    .into_any()
}
