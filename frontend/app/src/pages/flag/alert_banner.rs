//! A banner above the flag's tabs for each alert firing on the flag, linking to the Alerts
//! page. Says nothing when none fire or when the alerts cannot be read.

use leptos::prelude::*;

use super::FlagCtx;
use crate::components::code_sentence::CodeSentence;
use crate::env::env_path;
use crate::pages::alerts::client::list_alerts;

#[component]
pub fn AlertBanner() -> impl IntoView {
    let ctx = expect_context::<FlagCtx>();
    let firing = LocalResource::new(move || {
        let (env, flag) = (ctx.env.get(), ctx.flag.get());
        async move {
            list_alerts(&env, Some("firing"), Some(&flag))
                .await
                .unwrap_or_default()
        }
    });
    move || {
        let alerts = firing.get().unwrap_or_default();
        (!alerts.is_empty()).then(|| {
            let link = env_path(&ctx.env.get(), "/alerts");
            view! {
                <div class="banner alert-banner" role="alert" data-testid="flag-alert-banner">
                    {alerts.into_iter().map(|a| view! {
                        <p>
                            <strong>"Alert: "</strong>
                            <CodeSentence sentence=a.summary />
                            "."
                        </p>
                    }).collect_view()}
                    <a href=link>"See the Alerts page"</a>
                </div>
            }
        })
    }
}
