//! Alerts as people read them: the summary sentence, the flag, the metric, the treatments
//! compared, the lift and the always-valid p-value with its method, and when it fired and
//! resolved.

use imprint_types::AlertView;
use leptos::prelude::*;

use crate::components::code_sentence::CodeSentence;
use crate::components::format::{date_time, parse_iso_ms};
use crate::components::stats::{p_equation, signed_relative};
use crate::env::env_path;

fn when(text: &str) -> String {
    parse_iso_ms(text)
        .map(date_time)
        .unwrap_or_else(|| text.to_owned())
}

#[component]
pub fn AlertList(env: Memo<String>, alerts: Vec<AlertView>, empty: &'static str) -> impl IntoView {
    if alerts.is_empty() {
        return view! { <p class="muted empty">{empty}</p> }.into_any();
    }
    view! {
        <ul class="alert-list">
            {alerts.into_iter().map(|a| view! { <AlertItem env=env alert=a /> }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn AlertItem(env: Memo<String>, alert: AlertView) -> impl IntoView {
    let firing = alert.status == "firing";
    let flag = alert.flag.clone();
    let figures = [
        alert
            .relative_lift
            .map(|l| format!("lift {}", signed_relative(l))),
        alert.p_value.map(p_equation),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let times = match &alert.resolved_at {
        Some(resolved) => format!(
            "Fired {} · resolved {}",
            when(&alert.fired_at),
            when(resolved)
        ),
        None => format!("Firing since {}", when(&alert.fired_at)),
    };
    view! {
        <li class="alert-item" class:firing=firing data-testid="alert" data-status=alert.status.clone()
            data-flag=alert.flag.clone()>
            <div class="alert-head">
                <span class=if firing { "badge alert-firing" } else { "badge alert-resolved" }>
                    {if firing { "Firing" } else { "Resolved" }}
                </span>
                <p class="alert-summary"><CodeSentence sentence=alert.summary.clone() /></p>
            </div>
            <dl class="alert-facts">
                <div><dt>"Flag"</dt><dd>
                    <a class="mono" href=move || env_path(&env.get(), &format!("/flags/{flag}/impact"))>{alert.flag.clone()}</a>
                </dd></div>
                <div><dt>"Metric"</dt><dd>{alert.metric.clone()}</dd></div>
                <div><dt>"Compared"</dt><dd>
                    <code>{alert.treatment.clone()}</code>" vs "<code>{alert.baseline.clone()}</code>
                </dd></div>
                <div><dt>"Figures"</dt><dd>{figures}</dd></div>
            </dl>
            <p class="muted small">{times}" · "{alert.method.clone()}</p>
        </li>
    }
    .into_any()
}
