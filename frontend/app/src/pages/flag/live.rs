//! The flag's Live tail tab: the environment's live tail, for this flag only.

use leptos::prelude::*;

use super::FlagCtx;
use crate::components::live_tail::LiveTail;

#[component]
pub fn LiveTab() -> impl IntoView {
    let ctx = expect_context::<FlagCtx>();
    let tracking_off = move || ctx.loaded().is_some_and(|d| !d.tracking_enabled);
    view! {
        <Show when=tracking_off>
            <div class="banner warn" role="status">
                <strong>"Impression tracking is off for this flag. "</strong>
                "Imprint stores none of its impressions, so none appear here until it is turned back on."
            </div>
        </Show>
        <LiveTail env=ctx.env flag=ctx.flag />
    }
    .into_any()
}
