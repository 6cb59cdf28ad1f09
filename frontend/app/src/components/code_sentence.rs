//! A sentence from the API or the console whose backticked names (treatments, flags) show as
//! code: "Checkout rate is 6.2% lower with `on` than with `off`".

use leptos::prelude::*;

use super::stats::code_pieces;

#[component]
pub fn CodeSentence(#[prop(into)] sentence: String) -> impl IntoView {
    code_pieces(&sentence)
        .into_iter()
        .map(|(text, code)| {
            if code {
                view! { <code>{text}</code> }.into_any()
            } else {
                text.into_any()
            }
        })
        .collect_view()
}
