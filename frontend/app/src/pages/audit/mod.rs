//! The audit log: who changed what and when, newest first, filtered by action, actor and
//! environment. The filters live in the address, so a filtered view can be shared.

mod change;

use imprint_types::AuditView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;
use leptos_router::NavigateOptions;

use crate::api;
use crate::components::format::{date_time, parse_iso_ms};
use crate::env::{env_path, use_environments};
use change::{has_detail, headline, lines, pretty, readable, Line, ACTION_GROUPS};

const LIMITS: [u32; 4] = [50, 200, 500, 1000];
const DEFAULT_LIMIT: u32 = 200;
const FILTERS: [&str; 4] = ["action", "actor", "environment", "limit"];

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let environments = use_environments();
    let param = move |name: &str| query.with(|q| q.get(name).unwrap_or_default());

    let entries = LocalResource::new(move || {
        let query = query.get();
        let api_query: ParamsMap = FILTERS
            .into_iter()
            .filter_map(|name| query.get(name).filter(|v| !v.is_empty()).map(|v| (name, v)))
            .collect();
        async move {
            api::get::<Vec<AuditView>>(&format!("/api/v1/audit{}", api_query.to_query_string()))
                .await
        }
    });

    // The actor is typed: it applies on Enter or with the button. The lists apply at once.
    let actor = RwSignal::new(param("actor"));
    Effect::new(move |_| actor.set(param("actor")));

    let apply = {
        let navigate = navigate.clone();
        move |name: &'static str, value: String| {
            let mut next: Vec<(&str, String)> = FILTERS
                .into_iter()
                .filter(|f| *f != name)
                .filter_map(|f| query.with_untracked(|q| q.get(f)).map(|v| (f, v)))
                .collect();
            next.push((name, value));
            let map: ParamsMap = next.into_iter().filter(|(_, v)| !v.is_empty()).collect();
            navigate(
                &format!("/audit{}", map.to_query_string()),
                NavigateOptions {
                    scroll: false,
                    ..Default::default()
                },
            );
        }
    };
    let apply_actor = {
        let apply = apply.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            apply("actor", actor.get_untracked().trim().to_owned());
        }
    };
    let any_filter = move || {
        query.with(|q| {
            ["action", "actor", "environment"]
                .iter()
                .any(|f| q.get(f).is_some_and(|v| !v.is_empty()))
        })
    };
    let clear = {
        let navigate = navigate.clone();
        move |_| {
            navigate(
                "/audit",
                NavigateOptions {
                    scroll: false,
                    ..Default::default()
                },
            )
        }
    };
    let limit = move || {
        param("limit")
            .parse::<u32>()
            .ok()
            .filter(|l| LIMITS.contains(l))
            .unwrap_or(DEFAULT_LIMIT)
    };

    let (on_action, on_env, on_limit) = (apply.clone(), apply.clone(), apply.clone());

    view! {
        <Title text="Audit log" />
        <header class="page-header">
            <div>
                <h1>"Audit log"</h1>
                <p class="muted">
                    "Who changed what, and when: flags, tracking, segments, environments, SDK keys and users."
                </p>
            </div>
            <button type="button" class="secondary" on:click=move |_| entries.refetch()>
                "Refresh"
            </button>
        </header>
        <form class="panel audit-filters" role="search" aria-label="Filter the audit log" on:submit=apply_actor>
            <div class="field">
                <label for="audit-action">"Action"</label>
                <select
                    id="audit-action"
                    prop:value=move || param("action")
                    on:change=move |ev| on_action("action", event_target_value(&ev))
                >
                    <option value="">"All actions"</option>
                    {ACTION_GROUPS
                        .iter()
                        .map(|(group, actions)| view! {
                            <optgroup label=*group>
                                {actions
                                    .iter()
                                    .map(|(value, label)| {
                                        let selected = move || param("action") == *value;
                                        view! { <option value=*value selected=selected>{*label}</option> }
                                    })
                                    .collect_view()}
                            </optgroup>
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="audit-actor">"Actor"</label>
                <div class="search-field">
                    <input
                        id="audit-actor"
                        type="search"
                        placeholder="Part of an email"
                        autocomplete="off"
                        prop:value=actor
                        on:input=move |ev| actor.set(event_target_value(&ev))
                    />
                    <button type="submit" class="secondary">"Apply"</button>
                </div>
            </div>
            <div class="field">
                <label for="audit-environment">"Environment"</label>
                <select
                    id="audit-environment"
                    prop:value=move || param("environment")
                    on:change=move |ev| on_env("environment", event_target_value(&ev))
                >
                    <option value="">"All environments"</option>
                    {move || {
                        let chosen = param("environment");
                        let mut names: Vec<String> = environments
                            .0
                            .get()
                            .and_then(Result::ok)
                            .map(|list| list.into_iter().map(|e| e.name).collect())
                            .unwrap_or_default();
                        // A filter for an environment since renamed still shows.
                        if !chosen.is_empty() && !names.contains(&chosen) {
                            names.push(chosen.clone());
                        }
                        names
                            .into_iter()
                            .map(|name| {
                                let selected = name == chosen;
                                view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </div>
            <div class="field narrow">
                <label for="audit-limit">"Show"</label>
                <select
                    id="audit-limit"
                    prop:value=move || limit().to_string()
                    on:change=move |ev| on_limit("limit", event_target_value(&ev))
                >
                    {LIMITS
                        .into_iter()
                        .map(|l| view! { <option value=l.to_string() selected=move || limit() == l>{format!("{l} latest")}</option> })
                        .collect_view()}
                </select>
            </div>
            <Show when=any_filter>
                <button type="button" class="ghost clear-filters" on:click=clear.clone()>"Clear filters"</button>
            </Show>
        </form>
        <section class="panel audit" aria-label="Changes">
            {move || match entries.get() {
                None => view! { <p class="muted loading">"Loading the audit log…"</p> }.into_any(),
                Some(Err(e)) => view! {
                    <p class="form-error" role="alert">"Could not load the audit log: " {e.sentence()}</p>
                }
                    .into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="muted empty" role="status">
                        {if any_filter() { "No change matches these filters." } else { "Nothing has been changed yet." }}
                    </p>
                }
                    .into_any(),
                Some(Ok(list)) => {
                    let count = list.len();
                    let full = count as u32 >= limit();
                    view! {
                        <p class="muted audit-count" role="status">
                            {if full {
                                format!("The latest {count} changes. Narrow the filters or show more to see older ones.")
                            } else if count == 1 {
                                "1 change.".to_owned()
                            } else {
                                format!("{count} changes, newest first.")
                            }}
                        </p>
                        <table class="table audit-table stack-on-phone">
                            <thead>
                                <tr>
                                    <th scope="col">"When"</th>
                                    <th scope="col">"Who"</th>
                                    <th scope="col">"What"</th>
                                    <th scope="col">"Environment"</th>
                                    <th scope="col">"Change"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {list.into_iter().map(|entry| view! { <Entry entry /> }).collect_view()}
                            </tbody>
                        </table>
                    }
                        .into_any()
                }
            }}
        </section>
    }
    .into_any()
}

#[component]
fn Entry(entry: AuditView) -> impl IntoView {
    let (title, tone) = headline(&entry.action, entry.new_value.as_ref());
    let changes = lines(
        readable(&entry.action, entry.old_value.as_ref()).as_ref(),
        readable(&entry.action, entry.new_value.as_ref()).as_ref(),
    );
    // The target says more than the environment only when it differs from it.
    // The target without its environment (shown beside it); a flag's links to the flag.
    let target = match entry.environment.as_deref() {
        Some(env) if env == entry.target => None,
        Some(env) => Some(
            entry
                .target
                .strip_prefix(&format!("{env}/"))
                .unwrap_or(&entry.target)
                .to_owned(),
        ),
        None => Some(entry.target.clone()),
    };
    let flag_link = match (&entry.environment, &target) {
        (Some(env), Some(flag)) if entry.action.starts_with("flag.") => {
            Some(env_path(env, &format!("/flags/{flag}")))
        }
        _ => None,
    };
    let detail = has_detail(entry.old_value.as_ref(), entry.new_value.as_ref());
    let at = parse_iso_ms(&entry.at)
        .map(date_time)
        .unwrap_or_else(|| entry.at.clone());
    view! {
        <tr data-action=entry.action.clone()>
            <td data-label="When" class="nowrap">
                <time datetime=entry.at.clone()>{at}</time>
            </td>
            <td data-label="Who" class="audit-actor">{entry.actor.clone()}</td>
            <td data-label="What">
                <div>
                    <span class=format!("audit-title tone-{tone}")>{title}</span>
                    <span class="audit-target">
                        {target.map(|t| match flag_link.clone() {
                            Some(href) => view! { <a href=href><code>{t}</code></a> }.into_any(),
                            None => view! { <code>{t}</code> }.into_any(),
                        })}
                        <span class="audit-action">{entry.action.clone()}</span>
                    </span>
                </div>
            </td>
            <td data-label="Environment">
                {match entry.environment.clone() {
                    Some(env) => {
                        let href = env_path(&env, "");
                        view! { <a href=href>{env}</a> }.into_any()
                    }
                    None => view! { <span class="muted">"—"</span> }.into_any(),
                }}
            </td>
            <td data-label="Change" class="audit-change">
                <div>
                {if changes.is_empty() {
                    view! { <span class="muted">"No field changed"</span> }.into_any()
                } else {
                    view! {
                        <ul class="change-lines">
                            {changes.into_iter().map(|line| view! { <ChangeLine line /> }).collect_view()}
                        </ul>
                    }
                        .into_any()
                }}
                {detail.then(|| view! {
                    <details class="change-detail">
                        <summary>"Full values"</summary>
                        <div class="change-columns">
                            <div>
                                <p class="muted">"Before"</p>
                                <pre>{pretty(entry.old_value.as_ref())}</pre>
                            </div>
                            <div>
                                <p class="muted">"After"</p>
                                <pre>{pretty(entry.new_value.as_ref())}</pre>
                            </div>
                        </div>
                    </details>
                })}
                </div>
            </td>
        </tr>
    }
    .into_any()
}

#[component]
fn ChangeLine(line: Line) -> impl IntoView {
    match line {
        Line::Changed { field, old, new } => view! {
            <li>
                <span class="field-name">{field}</span>
                <span class="old-value">{old}</span>
                <span class="arrow" aria-label="changed to">"→"</span>
                <span class="new-value">{new}</span>
            </li>
        }
        .into_any(),
        Line::Set { field, value } => view! {
            <li>
                <span class="field-name">{field}</span>
                <span class="new-value">{value}</span>
            </li>
        }
        .into_any(),
        Line::Removed { field, value } => view! {
            <li>
                <span class="field-name">{field}</span>
                <del class="old-value">{value}</del>
            </li>
        }
        .into_any(),
    }
}
