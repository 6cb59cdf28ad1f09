//! How to send impressions to an environment: the Node, Python and browser Split SDKs pointed
//! at this server, or the native API with curl. Keys are only shown when created, so the
//! snippets carry a placeholder and point at the Environments page.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;

const KEY: &str = "<SERVER-SIDE SDK KEY>";
/// Web pages get the client-side key: it ships to every visitor, so it can only do what
/// browser SDKs do.
const CLIENT_KEY: &str = "<CLIENT-SIDE SDK KEY>";

/// This server's address as the browser reaches it (`https://imprint.example.com`).
fn origin() -> String {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        "http://IMPRINT-HOST".to_owned()
    }
}

fn node(base: &str) -> String {
    format!(
        r#"// npm install @splitsoftware/splitio
const {{ SplitFactory }} = require('@splitsoftware/splitio');

const IMPRINT = '{base}/api';
const factory = SplitFactory({{
  core: {{ authorizationKey: '{KEY}' }},
  urls: {{ sdk: IMPRINT, events: IMPRINT, auth: IMPRINT, telemetry: IMPRINT }},
  streamingEnabled: false,
}});

const client = factory.client();
await client.whenReady();
const treatment = client.getTreatment('user-42', 'my_flag');"#
    )
}

fn python(base: &str) -> String {
    format!(
        r#"# pip install splitio_client
from splitio import get_factory

IMPRINT = "{base}/api"
factory = get_factory(
    "{KEY}",
    config={{"streamingEnabled": False}},
    sdk_api_base_url=IMPRINT,
    events_api_base_url=IMPRINT,
    auth_api_base_url=IMPRINT,
    telemetry_api_base_url=IMPRINT,
)
factory.block_until_ready(10)
treatment = factory.client().get_treatment("user-42", "my_flag")"#
    )
}

fn browser(base: &str) -> String {
    format!(
        r#"// npm install @splitsoftware/splitio-browserjs
import {{ SplitFactory }} from '@splitsoftware/splitio-browserjs';

const IMPRINT = '{base}/api';
const factory = SplitFactory({{
  core: {{ authorizationKey: '{CLIENT_KEY}', key: 'user-42' }},
  urls: {{ sdk: IMPRINT, events: IMPRINT, auth: IMPRINT, telemetry: IMPRINT }},
  streamingEnabled: false,
}});

const client = factory.client();
await client.whenReady();
const treatment = client.getTreatment('my_flag');
client.track('user', 'checkout', 42.5);
// Queued impressions and events are sent by beacon when the page is hidden or closed."#
    )
}

fn curl(base: &str) -> String {
    format!(
        r#"curl -X POST '{base}/api/v1/impressions' \
  -H 'Authorization: Bearer {KEY}' \
  -H 'Content-Type: application/json' \
  -d "[{{\"flag\":\"my_flag\",\"key\":\"user-42\",\"treatment\":\"on\",\"timestamp\":$(date +%s000)}}]""#
    )
}

const TABS: [(&str, &str); 4] = [
    ("node", "Node.js SDK"),
    ("python", "Python SDK"),
    ("browser", "Browser SDK"),
    ("curl", "curl (native API)"),
];

#[component]
pub fn ConnectSdk(#[prop(into)] env: Signal<String>) -> impl IntoView {
    let tab = RwSignal::new("node");
    let copied = RwSignal::new(false);
    let snippet = move || {
        let base = origin();
        match tab.get() {
            "python" => python(&base),
            "browser" => browser(&base),
            "curl" => curl(&base),
            _ => node(&base),
        }
    };
    let copy = move |_| {
        let text = snippet();
        spawn_local(async move { copied.set(api::copy_to_clipboard(&text).await) });
    };
    view! {
        <section class="panel connect" aria-labelledby="connect-title">
            <h2 id="connect-title">{move || format!("Send the first impressions to {}", env.get())}</h2>
            <p class="muted">
                "Flags show up here as soon as an SDK evaluates them, whether or not they are defined in Imprint. "
                "Unmodified Split SDKs work: point their URLs at this server."
            </p>
            <ol class="steps">
                <li>
                    <strong>{move || if tab.get() == "browser" {
                        "Use the environment's client-side SDK key."
                    } else {
                        "Use the environment's server-side SDK key."
                    }}</strong>
                    " Keys are shown once, when they are created; if you no longer have it, add a new key on the "
                    <a href="/environments">"Environments"</a> " page."
                </li>
                <li>
                    <strong>"Point an SDK at Imprint"</strong>" (or post impressions directly):"
                    {view! { <div class="snippet">
                        <div class="snippet-bar">
                            <div class="segmented" role="group" aria-label="Client">
                                {TABS.into_iter().map(|(id, text)| view! {
                                    <button
                                        type="button"
                                        class="segment"
                                        class:checked=move || tab.get() == id
                                        aria-pressed=move || (tab.get() == id).to_string()
                                        on:click=move |_| { tab.set(id); copied.set(false); }
                                    >{text}</button>
                                }).collect_view()}
                            </div>
                            <button type="button" class="secondary small" on:click=copy>
                                {move || if copied.get() { "Copied" } else { "Copy" }}
                            </button>
                        </div>
                        <pre class="code" tabindex="0" aria-label="Code sample"><code>{snippet}</code></pre>
                    </div> }.into_any()}
                </li>
                <li>
                    <strong>"Evaluate a flag."</strong>
                    " It appears in this list with its treatments and traffic; this page checks every 10 seconds."
                </li>
            </ol>
        </section>
    }
    .into_any()
}
