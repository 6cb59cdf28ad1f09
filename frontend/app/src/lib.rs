//! Imprint's web console.
//!
//! Pages are rendered on the server (feature `ssr`) and hydrated in the browser (feature
//! `hydrate`). Reads and writes go through the same REST API that external clients use; the
//! server only hands the signed-in user to the first render.

pub mod api;
mod app;
mod components;
pub mod env;
mod pages;
mod session;

pub use app::{shell, App};

/// The browser entry point: attaches the reactive app to the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}

/// The console's stylesheet, served by the server at /assets/imprint.css.
/// One file per area, so each stays small; served as one stylesheet.
pub const STYLESHEET: &str = concat!(
    include_str!("../style/base.css"),
    include_str!("../style/flags.css"),
    include_str!("../style/admin.css"),
    include_str!("../style/live.css"),
    include_str!("../style/integrations.css"),
    include_str!("../style/experiments.css"),
);
/// The console's icon, served at /assets/favicon.svg.
pub const FAVICON: &str = include_str!("../style/favicon.svg");
