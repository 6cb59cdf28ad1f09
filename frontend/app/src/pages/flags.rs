//! The flags of an environment, defined or only observed: one card each with its treatments,
//! state, last change, impressions in the last 24 hours and the tracking indicator.

use std::time::Duration;

use imprint_types::FlagListItem;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api;
use crate::components::connect_sdk::ConnectSdk;
use crate::components::format::{grouped, now_ms, parse_iso_ms, relative};
use crate::components::tracking::TrackingIndicator;
use crate::env::{env_path, use_current_env};
use crate::pages::flag::treatment_color;

const REFRESH: Duration = Duration::from_secs(10);

#[component]
pub fn FlagsPage() -> impl IntoView {
    let env = use_current_env();
    let flags = LocalResource::new(move || {
        let path = format!("/api/v1/environments/{}/flags", env.get());
        async move { api::get::<Vec<FlagListItem>>(&path).await }
    });
    // New flags and traffic show up without a reload.
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(move || flags.refetch(), REFRESH) {
            on_cleanup(move || handle.clear());
        }
    });
    let search = RwSignal::new(String::new());
    let set = RwSignal::new(String::new());
    let tracking = RwSignal::new(String::new());
    let sort = RwSignal::new("name".to_owned());
    let clear = move |_| {
        search.set(String::new());
        set.set(String::new());
        tracking.set(String::new());
    };

    // The last list that arrived, and the last refresh's error: a failed poll keeps the list.
    let list = RwSignal::new(None::<Vec<FlagListItem>>);
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| match flags.get() {
        Some(Ok(fresh)) => {
            if list.with_untracked(|l| l.as_ref() != Some(&fresh)) {
                list.set(Some(fresh));
            }
            error.set(None);
        }
        Some(Err(e)) => error.set(Some(e.sentence())),
        None => {}
    });
    let state =
        Memo::new(
            move |_| match (list.with(|l| l.as_ref().map(Vec::is_empty)), error.get()) {
                (None, None) => State::Loading,
                (None, Some(e)) => State::Failed(e),
                (Some(true), _) => State::Empty,
                (Some(false), _) => State::Ready,
            },
        );
    let all = move || list.get().unwrap_or_default();
    let sets = Memo::new(move |_| {
        let mut sets: Vec<String> = all().into_iter().flat_map(|f| f.sets).collect();
        sets.sort();
        sets.dedup();
        sets
    });
    let shown = move || {
        let needle = search.get().trim().to_lowercase();
        let (set, tracking) = (set.get(), tracking.get());
        let mut list: Vec<FlagListItem> = all()
            .into_iter()
            .filter(|f| needle.is_empty() || f.name.to_lowercase().contains(&needle))
            .filter(|f| set.is_empty() || f.sets.contains(&set))
            .filter(|f| match tracking.as_str() {
                "on" => f.tracking_enabled,
                "off" => !f.tracking_enabled,
                _ => true,
            })
            .collect();
        match sort.get().as_str() {
            "recent" => list.sort_by_key(|f| std::cmp::Reverse(f.change_number)),
            "traffic" => list.sort_by_key(|f| std::cmp::Reverse(f.impressions_24h)),
            _ => list.sort_by(|a, b| a.name.cmp(&b.name)),
        }
        list
    };

    let none_shown = Memo::new(move |_| shown().is_empty());

    view! {
        <Title text=move || format!("Flags · {}", env.get()) />
        <div class="flags-page">
        <header class="page-header">
            <div>
                <h1>"Flags"</h1>
                <p class="muted">
                    {move || match list.get() {
                        Some(list) if list.is_empty() => format!("No flags yet in {}", env.get()),
                        Some(list) => {
                            let off = list.iter().filter(|f| !f.tracking_enabled).count();
                            let mut text = format!("{} in {}", plural(list.len(), "flag"), env.get());
                            if off > 0 {
                                text.push_str(&format!(" · tracking off for {off}"));
                            }
                            text
                        }
                        _ => format!("Environment {}", env.get()),
                    }}
                </p>
            </div>
        </header>
        {move || match state.get() {
            State::Loading => view! {
                <ul class="flag-cards" aria-busy="true" aria-label="Loading flags">
                    {(0..3).map(|_| view! { <li class="card skeleton"></li> }).collect_view()}
                </ul>
            }.into_any(),
            State::Failed(e) => view! {
                <div class="panel error-panel" role="alert">
                    <h2>"The flags could not be loaded"</h2>
                    <p>{e}</p>
                    <button type="button" class="secondary" on:click=move |_| flags.refetch()>"Try again"</button>
                </div>
            }.into_any(),
            State::Empty => view! { <ConnectSdk env=env /> }.into_any(),
            State::Ready => view! {
                <Show when=move || error.get().is_some()>
                    <p class="banner error" role="alert">
                        {move || format!("The list could not be refreshed: {} It tries again every 10 seconds.", error.get().unwrap_or_default())}
                    </p>
                </Show>
                <div class="filters" role="search" aria-label="Filter flags">
                    <input
                        type="search"
                        class="search"
                        placeholder="Search flags by name"
                        aria-label="Search flags"
                        prop:value=move || search.get()
                        on:input=move |ev| search.set(event_target_value(&ev))
                    />
                    <select aria-label="Filter by flag set" prop:value=move || set.get() on:change=move |ev| set.set(event_target_value(&ev))>
                        <option value="">"All flag sets"</option>
                        {move || sets.get().into_iter().map(|s| view! {
                            <option value=s.clone() selected=set.get_untracked() == s>{s.clone()}</option>
                        }).collect_view()}
                    </select>
                    <select aria-label="Filter by impression tracking" prop:value=move || tracking.get() on:change=move |ev| tracking.set(event_target_value(&ev))>
                        <option value="">"Tracking on or off"</option>
                        <option value="on">"Tracking on"</option>
                        <option value="off">"Tracking off"</option>
                    </select>
                    <select aria-label="Sort flags" prop:value=move || sort.get() on:change=move |ev| sort.set(event_target_value(&ev))>
                        <option value="name">"Sort by name"</option>
                        <option value="recent">"Recently changed"</option>
                        <option value="traffic">"Most impressions"</option>
                    </select>
                </div>
                {move || {
                    if none_shown.get() {
                        return view! {
                            <div class="panel empty-state">
                                <p>"No flag matches these filters."</p>
                                <button type="button" class="secondary" on:click=clear>"Clear filters"</button>
                            </div>
                        }.into_any();
                    }
                    view! {
                        <ul class="flag-cards" aria-label="Flags">
                            <For each=move || shown() key=card_key let(flag)>
                                <FlagCard flag=flag env=env.get_untracked() />
                            </For>
                        </ul>
                    }.into_any()
                }}
            }.into_any(),
        }}
        </div>
    }
    .into_any()
}

#[derive(Clone, PartialEq)]
enum State {
    Loading,
    Failed(String),
    Empty,
    Ready,
}

/// Cards re-render only when something they show changed.
fn card_key(f: &FlagListItem) -> String {
    format!(
        "{}|{}|{}|{}|{}|{}",
        f.name,
        f.change_number,
        f.tracking_enabled,
        f.impressions_24h,
        f.counted_by_sdk_24h,
        f.updated_at
    )
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[component]
fn FlagCard(flag: FlagListItem, env: String) -> impl IntoView {
    let href = env_path(&env, &format!("/flags/{}", flag.name));
    let updated = parse_iso_ms(&flag.updated_at)
        .map(|ms| relative(ms, now_ms()))
        .unwrap_or_else(|| flag.updated_at.clone());
    let archived = flag.status.as_deref() == Some("archived");
    let treatments = flag.treatments.clone();
    view! {
        <li class="card flag-card" class:tracking-off=!flag.tracking_enabled data-flag=flag.name.clone()>
            <div class="flag-card-head">
                <h2 class="flag-card-name">
                    <a href=href class="stretched">{flag.name.clone()}</a>
                </h2>
                <TrackingIndicator enabled=flag.tracking_enabled />
            </div>
            <div class="badges">
                {(!flag.defined).then(|| view! { <span class="badge observed">"Observed only"</span> })}
                {flag.killed.then(|| view! { <span class="badge killed">"Killed"</span> })}
                {archived.then(|| view! { <span class="badge archived">"Archived"</span> })}
                {(flag.defined && !flag.killed && !archived).then(|| view! { <span class="badge active">"Active"</span> })}
                {flag.traffic_type.clone().map(|t| view! { <span class="badge subtle">{t}</span> })}
            </div>
            {(!flag.description.is_empty()).then(|| view! { <p class="flag-card-description">{flag.description.clone()}</p> })}
            {(!flag.defined).then(|| view! {
                <p class="flag-card-description">"Known from impressions only: define it to serve it from Imprint."</p>
            })}
            <ul class="chips" aria-label="Treatments">
                {treatments.iter().enumerate().map(|(i, t)| view! {
                    <li class="treatment-chip">
                        <span class="swatch" style=format!("background:{}", treatment_color(i, t)) aria-hidden="true"></span>
                        {t.clone()}
                    </li>
                }).collect_view()}
            </ul>
            {(!flag.sets.is_empty()).then(|| view! {
                <p class="tags" aria-label="Flag sets">
                    {flag.sets.iter().map(|s| view! { <span class="tag">{s.clone()}</span> }).collect_view()}
                </p>
            })}
            <div class="flag-card-foot">
                <span title="Impressions stored in the last 24 hours" data-testid="impressions-24h">
                    <strong>{grouped(flag.impressions_24h)}</strong>" impressions · 24 h"
                </span>
                <span class="muted">"Changed " {updated}</span>
            </div>
        </li>
    }
    .into_any()
}
