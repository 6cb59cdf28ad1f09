//! One flag in one environment: its header (state, kill switch, more actions), and tabs for
//! its definition, its monitoring, its impact on the environment's metrics and its live tail.
//! `/e/{env}/flags/{flag}[/{tab}]`.

mod actions;
mod alert_banner;
mod chart;
mod definition;
mod editor;
mod editor_matcher;
mod editor_rule;
mod editor_serve;
mod editor_support;
mod impact;
mod impact_card;
mod lift_bar;
mod live;
mod model;
mod monitoring;
mod request;
mod tracking;

use imprint_types::Role;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::{self, ApiError};
use crate::components::change_number::ChangeNumber;
use crate::components::format::{date_time, parse_iso_ms};
use crate::env::{env_path, percent_decode};
use crate::session::use_session;
use actions::KillSwitch;
use model::FlagDetail;
use tracking::{MoreActions, TrackingDialog};

pub use chart::treatment_color;

/// What every part of the flag page shares.
#[derive(Clone, Copy)]
pub struct FlagCtx {
    pub env: Memo<String>,
    pub flag: Memo<String>,
    pub detail: LocalResource<Result<FlagDetail, ApiError>>,
    /// Editors and admins change definitions, the kill switch and tracking.
    pub can_edit: bool,
}

impl FlagCtx {
    /// `/api/v1/environments/{env}/flags/{flag}{rest}`
    pub fn api_path(&self, rest: &str) -> String {
        format!(
            "/api/v1/environments/{}/flags/{}{rest}",
            self.env.get_untracked(),
            self.flag.get_untracked()
        )
    }

    /// `/e/{env}/flags/{flag}{rest}`
    pub fn page_path(&self, rest: &str) -> String {
        env_path(
            &self.env.get(),
            &format!("/flags/{}{rest}", self.flag.get()),
        )
    }

    pub fn loaded(&self) -> Option<FlagDetail> {
        self.detail.get().and_then(Result::ok)
    }
}

const TABS: [(&str, &str); 4] = [
    ("definition", "Definition"),
    ("monitoring", "Monitoring"),
    ("impact", "Metrics impact"),
    ("live", "Live tail"),
];

#[component]
pub fn FlagPage() -> impl IntoView {
    let params = use_params_map();
    let env = Memo::new(move |_| percent_decode(&params.read().get("env").unwrap_or_default()));
    let flag = Memo::new(move |_| percent_decode(&params.read().get("flag").unwrap_or_default()));
    let tab = Memo::new(move |_| {
        params
            .read()
            .get("tab")
            .unwrap_or_else(|| "definition".into())
    });
    let can_edit = use_session()
        .user()
        .is_some_and(|u| u.role.allows(Role::Editor));
    let detail = LocalResource::new(move || {
        let path = format!("/api/v1/environments/{}/flags/{}", env.get(), flag.get());
        async move { api::get::<FlagDetail>(&path).await }
    });
    let ctx = FlagCtx {
        env,
        flag,
        detail,
        can_edit,
    };
    provide_context(ctx);
    let tracking_open = RwSignal::new(false);
    // Only a change between loaded and failed rebuilds the tabs (an open editor survives a
    // refetch).
    let failed = Memo::new(move |_| match detail.get() {
        Some(Err(e)) => Some(e.sentence()),
        _ => None,
    });

    view! {
        <Title text=move || flag.get() />
        <div class="flag-page">
        <header class="page-header flag-header">
            <div class="flag-heading">
                <nav class="breadcrumb" aria-label="Breadcrumb">
                    <a href=move || env_path(&env.get(), "")>
                        <span aria-hidden="true">"‹ "</span>
                        {move || format!("Flags in {}", env.get())}
                    </a>
                </nav>
                <h1 class="flag-title">{move || flag.get()}</h1>
                <FlagMeta />
            </div>
            <div class="flag-header-side">
                {move || {
                    ctx.loaded()
                        .filter(|d| !d.tracking_enabled)
                        .map(|_| view! {
                            <p class="tracking-off-note" data-testid="tracking-off-note">
                                <span class="dot" aria-hidden="true"></span>
                                "Impression tracking off"
                            </p>
                        })
                }}
                <div class="flag-actions">
                    <KillSwitch />
                    <MoreActions on_track=move || tracking_open.set(true) />
                </div>
            </div>
        </header>
        <TrackingDialog open=tracking_open />
        {move || match failed.get() {
            Some(e) => view! {
                <div class="panel error-panel" role="alert">
                    <h2>"This flag could not be loaded"</h2>
                    <p>{e}</p>
                    <button type="button" class="secondary" on:click=move |_| detail.refetch()>
                        "Try again"
                    </button>
                </div>
            }
            .into_any(),
            None => view! { <alert_banner::AlertBanner /><FlagTabs tab=tab /> }.into_any(),
        }}
        </div>
    }
    .into_any()
}

/// Killed, archived or observed-only badges, traffic type, change number and last change.
#[component]
fn FlagMeta() -> impl IntoView {
    let ctx = expect_context::<FlagCtx>();
    move || {
        let Some(detail) = ctx.loaded() else {
            return view! { <p class="flag-meta muted">"Loading…"</p> }.into_any();
        };
        let definition = detail.definition.clone();
        let badges = match &definition {
            None => view! { <span class="badge observed">"Observed only"</span> }.into_any(),
            Some(d) => view! {
                {d.killed.then(|| view! { <span class="badge killed">"Killed"</span> })}
                {(d.status == "archived").then(|| view! { <span class="badge archived">"Archived"</span> })}
                {(!d.killed && d.status != "archived").then(|| view! { <span class="badge active">"Active"</span> })}
            }
            .into_any(),
        };
        let updated = parse_iso_ms(&detail.updated_at)
            .map(date_time)
            .unwrap_or(detail.updated_at.clone());
        view! {
            <p class="flag-meta">
                {badges}
                {definition.map(|d| view! {
                    <span class="meta-item">"Traffic type " <strong>{d.traffic_type}</strong></span>
                })}
                <span class="meta-item">"Change " <strong><ChangeNumber value=detail.change_number/></strong></span>
                <span class="meta-item">"Updated " <time datetime=detail.updated_at.clone()>{updated}</time></span>
            </p>
        }
        .into_any()
    }
}

#[component]
fn FlagTabs(tab: Memo<String>) -> impl IntoView {
    let ctx = expect_context::<FlagCtx>();
    view! {
        <nav class="tabs" aria-label="Flag views">
            {TABS
                .into_iter()
                .map(|(id, name)| {
                    let current = move || tab.get() == id;
                    view! {
                        <a
                            href=move || ctx.page_path(&format!("/{id}"))
                            class="tab"
                            class:active=current
                            aria-current=move || current().then_some("page")
                        >
                            {name}
                        </a>
                    }
                })
                .collect_view()}
        </nav>
        {move || match tab.get().as_str() {
            "definition" => view! { <definition::DefinitionTab /> }.into_any(),
            "monitoring" => view! { <monitoring::MonitoringTab /> }.into_any(),
            "impact" => view! { <impact::ImpactTab /> }.into_any(),
            "live" => view! { <live::LiveTab /> }.into_any(),
            other => view! {
                <div class="panel">
                    <h2>"Nothing here yet"</h2>
                    <p class="muted">{format!("This flag has no “{other}” view.")}</p>
                </div>
            }
            .into_any(),
        }}
    }
    .into_any()
}
