//! One metric's impact: each treatment's users, mean and interval; each comparison with the
//! baseline as a sentence and its interval drawn against zero; the sample-ratio check.

use imprint_types::{ImpactComparison, ImpactView, MetricView, TreatmentImpact};
use leptos::prelude::*;

use super::lift_bar::LiftBar;
use super::FlagCtx;
use crate::components::code_sentence::CodeSentence;
use crate::components::format::{date_time, grouped, parse_iso_ms};
use crate::components::stats::{metric_value, p_equation, verdict};
use crate::pages::metrics::client;
use crate::pages::metrics::words::{describe, direction_label};

#[component]
pub fn ImpactCard(
    metric: MetricView,
    baseline: RwSignal<String>,
    refreshes: RwSignal<u32>,
) -> impl IntoView {
    let ctx = expect_context::<FlagCtx>();
    let id = metric.id;
    // Only a new press of Refresh asks for a fresh computation; a new baseline reads the cache.
    let seen_refreshes = StoredValue::new(refreshes.get_untracked());
    let impact = LocalResource::new(move || {
        let (env, flag, baseline, pressed) = (
            ctx.env.get(),
            ctx.flag.get(),
            baseline.get(),
            refreshes.get(),
        );
        let refresh = pressed != seen_refreshes.get_value();
        seen_refreshes.set_value(pressed);
        async move { client::impact(&env, &flag, id, &baseline, refresh).await }
    });
    let heading_id = format!("impact-{id}");
    let labelled_by = heading_id.clone();
    let summary = format!(
        "{} · {}",
        describe(&metric),
        direction_label(metric.direction)
    );

    view! {
        <li class="panel impact-card" data-testid="impact-card" data-metric=metric.name.clone()
            aria-labelledby=labelled_by>
            <div class="event-type-head">
                <h2 id=heading_id>{metric.name.clone()}</h2>
                <span class="muted small">{summary}</span>
            </div>
            {move || match impact.get() {
                None => view! { <p class="muted loading">"Computing…"</p> }.into_any(),
                Some(Err(e)) => view! {
                    <p class="form-error" role="alert">{format!("The impact could not be computed. {}", e.sentence())}</p>
                }.into_any(),
                Some(Ok(view)) => view! { <ImpactBody view=view /> }.into_any(),
            }}
        </li>
    }
    .into_any()
}

#[component]
fn ImpactBody(view: ImpactView) -> impl IntoView {
    let window = window_text(&view);
    let footnote = footnote(&view);
    if !view.tracked {
        return view! {
            <p class="callout" data-testid="impact-untracked">"No impressions were tracked for this flag in this window."</p>
            <p class="muted small impact-method">{window}</p>
        }
        .into_any();
    }
    let srm = view.srm.mismatch.then(|| {
        let p = view
            .srm
            .p_value
            .map(p_equation)
            .unwrap_or_else(|| "p unknown".into());
        view! {
            <div class="banner warn" role="status" data-testid="impact-srm">
                <strong>"Sample ratio mismatch: "</strong>
                {format!("users per treatment differ from the split ({p}); results may be biased.")}
            </div>
        }
    });
    let comparisons = view
        .comparisons
        .iter()
        .map(|c| view! { <Comparison view=view.clone() comparison=c.clone() /> })
        .collect_view();
    view! {
        {srm}
        <Treatments view=view.clone() />
        <ul class="impact-comparisons">{comparisons}</ul>
        <p class="muted small impact-method">{window}{footnote}</p>
    }
    .into_any()
}

fn window_text(view: &ImpactView) -> String {
    let when = |text: &str| {
        parse_iso_ms(text)
            .map(date_time)
            .unwrap_or_else(|| text.to_owned())
    };
    format!(
        "Impressions from {} to {}",
        when(&view.window.from),
        when(&view.window.to)
    )
}

/// The excluded users, the method and when it was computed, after the window.
fn footnote(view: &ImpactView) -> String {
    let excluded = match view.excluded_users {
        0 => String::new(),
        1 => " · 1 user seen with more than one treatment left out".into(),
        n => format!(
            " · {} users seen with more than one treatment left out",
            grouped(n as i64)
        ),
    };
    let computed = parse_iso_ms(&view.computed_at)
        .map(|ms| format!(" · computed {}", date_time(ms)))
        .unwrap_or_default();
    format!("{excluded} · {}{computed}", view.method)
}

#[component]
fn Treatments(view: ImpactView) -> impl IntoView {
    let aggregation = view.metric.aggregation;
    let baseline = view.baseline.clone();
    let row = move |t: TreatmentImpact| {
        let mean = t
            .mean
            .map(|m| metric_value(aggregation, m))
            .unwrap_or_else(|| "–".into());
        let interval = match (t.ci_low, t.ci_high) {
            (Some(low), Some(high)) => format!(
                "{} to {}",
                metric_value(aggregation, low),
                metric_value(aggregation, high)
            ),
            _ => "–".into(),
        };
        let is_baseline = t.treatment == baseline;
        view! {
            <tr data-testid="impact-treatment" data-treatment=t.treatment.clone()>
                <td>
                    <code>{t.treatment.clone()}</code>
                    {is_baseline.then(|| view! { <span class="muted small">" baseline"</span> })}
                </td>
                <td>{grouped(t.users as i64)}</td>
                <td>{mean}</td>
                <td>{interval}</td>
            </tr>
        }
    };
    view! {
        <table class="impact-treatments">
            <thead>
                <tr>
                    <th scope="col">"Treatment"</th>
                    <th scope="col">"Users"</th>
                    <th scope="col">"Mean per user"</th>
                    <th scope="col">"95% interval"</th>
                </tr>
            </thead>
            <tbody>{view.treatments.into_iter().map(row).collect_view()}</tbody>
        </table>
    }
    .into_any()
}

#[component]
fn Comparison(view: ImpactView, comparison: ImpactComparison) -> impl IntoView {
    let sentence = verdict(&view, &comparison);
    let tone = match comparison.better {
        Some(true) => "better",
        Some(false) => "worse",
        None => "neutral",
    };
    let (treatment, significant) = (comparison.treatment.clone(), comparison.significant);
    view! {
        <li class=format!("impact-comparison {tone}") data-testid="impact-comparison"
            data-treatment=treatment data-significant=significant.to_string()>
            <p class="verdict"><CodeSentence sentence=sentence /></p>
            <LiftBar view=view comparison=comparison tone=tone />
        </li>
    }
    .into_any()
}
