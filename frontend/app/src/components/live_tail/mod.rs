//! The live tail: impressions (or `track()` events) as they are stored, from the server-sent
//! events of `/api/v1/environments/{env}/impressions/live` (or `…/events/live`). Used by the
//! Data hub (the whole environment) and by a flag's Live tail tab (one flag).
//!
//! It stays smooth at thousands of impressions a second: incoming rows wait in a buffer that
//! is flushed into the table every 250 ms, the table keeps the newest 500 rows in a keyed
//! list, and the server samples past its `max_rate` (and says so in `stats`).

pub mod criteria;
mod event_row;
mod form;
mod kind;
mod row;
mod status;
mod stream;

use std::collections::VecDeque;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::format::{grouped, now_ms};
use criteria::{query_string, Criteria};
use form::CriteriaForm;
pub use kind::TailKind;
use row::{LiveHeader, LiveRow, LiveRowView};
use status::{EmptyTail, StatusBar};
use stream::{refusal, Connection, Incoming, Stats};

/// Rows the table shows; older ones scroll away.
const MAX_ROWS: usize = 500;
/// Rows kept while paused; past this the oldest are dropped (and counted).
const MAX_HELD: usize = 10_000;
const FLUSH: Duration = Duration::from_millis(250);
const MAX_BACKOFF_MS: u64 = 30_000;

/// Where the connection stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    Connecting,
    Live,
    /// Lost; the next attempt is this many seconds away.
    Reconnecting(u64),
    /// The API refused the query; the words say why.
    Refused(String),
}

/// The tail's state, shared by its parts.
#[derive(Clone, Copy)]
pub struct Tail {
    kind: TailKind,
    rows: RwSignal<VecDeque<LiveRow>>,
    /// Raw impressions received since the last flush.
    pending: StoredValue<Vec<String>>,
    paused: RwSignal<bool>,
    /// Raw impressions received while paused (newest last).
    held: StoredValue<VecDeque<String>>,
    /// Rows that arrived while paused, dropped ones included.
    held_count: RwSignal<u64>,
    seq: StoredValue<u64>,
    received: RwSignal<u64>,
    link: RwSignal<Link>,
    /// The last second's counts and when they came.
    stats: RwSignal<Option<(Stats, i64)>>,
    notice: RwSignal<Option<String>>,
    diagnostic: RwSignal<Vec<String>>,
    replayed: RwSignal<Option<u64>>,
}

impl Tail {
    fn new(kind: TailKind) -> Tail {
        Tail {
            kind,
            rows: RwSignal::new(VecDeque::new()),
            pending: StoredValue::new(Vec::new()),
            paused: RwSignal::new(false),
            held: StoredValue::new(VecDeque::new()),
            held_count: RwSignal::new(0),
            seq: StoredValue::new(0),
            received: RwSignal::new(0),
            link: RwSignal::new(Link::Connecting),
            stats: RwSignal::new(None),
            notice: RwSignal::new(None),
            diagnostic: RwSignal::new(Vec::new()),
            replayed: RwSignal::new(None),
        }
    }

    /// Parses the newest `MAX_ROWS` of `raws` (oldest first) and puts them on top.
    fn show(&self, raws: impl DoubleEndedIterator<Item = String>) {
        let newest: Vec<String> = raws.rev().take(MAX_ROWS).collect();
        let mut parsed = Vec::with_capacity(newest.len());
        for raw in newest.into_iter().rev() {
            let seq = self.seq.get_value() + 1;
            self.seq.set_value(seq);
            parsed.extend(LiveRow::parse(self.kind, seq, raw));
        }
        if parsed.is_empty() {
            return;
        }
        self.rows.update(|rows| {
            for row in parsed {
                rows.push_front(row);
            }
            rows.truncate(MAX_ROWS);
        });
    }

    /// Moves what arrived since the last flush into the table, or into the pause buffer.
    fn flush(&self) {
        let Some(batch) = self.pending.try_update_value(std::mem::take) else {
            return;
        };
        if batch.is_empty() {
            return;
        }
        let n = batch.len() as u64;
        self.received.update(|r| *r += n);
        if self.paused.get_untracked() {
            self.held.update_value(|held| {
                held.extend(batch);
                let excess = held.len().saturating_sub(MAX_HELD);
                held.drain(..excess);
            });
            self.held_count.update(|c| *c += n);
        } else {
            self.show(batch.into_iter());
        }
    }

    fn resume(&self) {
        self.flush();
        let held = self
            .held
            .try_update_value(std::mem::take)
            .unwrap_or_default();
        self.paused.set(false);
        self.held_count.set(0);
        self.show(held.into_iter());
    }

    fn clear(&self) {
        self.pending.set_value(Vec::new());
        self.held.set_value(VecDeque::new());
        self.held_count.set(0);
        self.rows.set(VecDeque::new());
        self.received.set(0);
        self.notice.set(None);
    }

    fn receive(&self, incoming: Incoming) {
        match incoming {
            Incoming::Open => self.link.set(Link::Live),
            Incoming::Row(raw) => {
                self.pending.update_value(|p| p.push(raw));
                if !self.diagnostic.with_untracked(Vec::is_empty) {
                    self.diagnostic.set(Vec::new());
                }
            }
            Incoming::Stats(stats) => self.stats.set(Some((stats, now_ms()))),
            Incoming::Notice(message) => self
                .notice
                .set(Some(crate::api::display::sentence(&message))),
            Incoming::Diagnostic(reasons) => self.diagnostic.set(reasons),
            Incoming::Ready { replayed } => self.replayed.set(Some(replayed)),
            Incoming::Lost => {}
        }
    }
}

/// The live tail of one environment, optionally of one flag.
#[component]
pub fn LiveTail(
    #[prop(into)] env: Signal<String>,
    /// When set, the tail shows this flag only and its form has no flag field.
    #[prop(optional, into)]
    flag: Option<Signal<String>>,
    /// Impressions unless told otherwise.
    #[prop(optional)]
    kind: TailKind,
) -> impl IntoView {
    let tail = Tail::new(kind);
    let criteria = RwSignal::new(Criteria::default());
    let replay = RwSignal::new(0u32);
    // The tail's URL without the replay: reconnections do not replay again.
    let base_url = Memo::new(move |_| {
        let mut pairs = criteria.read().pairs();
        if let Some(flag) = flag {
            pairs.retain(|(name, _)| name != "flag");
            pairs.insert(0, ("flag".to_owned(), flag.get()));
        }
        let query = query_string(&pairs);
        let path = kind.url(&env.get());
        if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        }
    });
    let connection = StoredValue::new_local(None::<Connection>);
    let attempt = StoredValue::new(0u32);
    let reconnect = RwSignal::new(0u64);
    let connect = move |replay_minutes: u32| {
        connection.set_value(None);
        let url = base_url.get_untracked();
        let url = match replay_minutes {
            0 => url,
            n if url.contains('?') => format!("{url}&replay={n}"),
            n => format!("{url}?replay={n}"),
        };
        let on_lost = url.clone();
        let opened = Connection::open(&url, move |incoming| {
            if matches!(incoming, Incoming::Lost) {
                lost(tail, on_lost.clone(), attempt, reconnect);
            } else {
                if matches!(incoming, Incoming::Open) {
                    attempt.set_value(0);
                }
                tail.receive(incoming);
            }
        });
        match opened {
            Ok(open) => connection.set_value(Some(open)),
            Err(e) => tail.link.set(Link::Refused(e)),
        }
    };
    // A new query (or a replay choice) starts over with the replay; a lost connection comes
    // back without it.
    Effect::new(move |previous: Option<(String, u32)>| {
        let now = (base_url.get(), replay.get());
        reconnect.track();
        let fresh = previous.as_ref() != Some(&now);
        if fresh {
            attempt.set_value(0);
            tail.link.set(Link::Connecting);
        }
        connect(if fresh { now.1 } else { 0 });
        now
    });
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(move || tail.flush(), FLUSH) {
            on_cleanup(move || handle.clear());
        }
    });
    on_cleanup(move || {
        let _ = connection.try_set_value(None);
    });
    let restart = Callback::new(move |()| tail.clear());

    view! {
        <section class="live-tail" aria-label="Live tail">
            <CriteriaForm criteria=criteria replay=replay fixed_flag=flag.is_some() kind=kind on_change=restart />
            <StatusBar tail=tail />
            {move || tail.notice.get().map(|notice| view! {
                <div class="banner warn live-notice" role="status">
                    <span>{notice}</span>
                    <button type="button" class="ghost small" on:click=move |_| tail.notice.set(None)>"Dismiss"</button>
                </div>
            })}
            <Show when=move || !tail.rows.with(VecDeque::is_empty) fallback=move || view! { <EmptyTail tail=tail /> }>
                {view! {
                <div class="live-table-wrap" tabindex="0" role="region" aria-label=format!("{}, newest first", kind.title())>
                    <table class="table live-table" data-testid="live-table" data-kind=kind.noun()>
                        <LiveHeader kind=kind />
                        <For each=move || tail.rows.get() key=|row| row.seq let:row>
                            <LiveRowView row=row />
                        </For>
                    </table>
                </div>
                <p class="muted small live-foot">
                    {move || format!(
                        "Newest first · showing {} of {} received since this view opened",
                        grouped(tail.rows.with(VecDeque::len) as i64),
                        grouped(tail.received.get() as i64),
                    )}
                </p>
                }.into_any()}
            </Show>
        </section>
    }
    .into_any()
}

/// The stream was lost: says why if the API refuses it, otherwise reopens it after a backoff
/// (1 s, 2 s, 4 s… up to 30 s).
fn lost(tail: Tail, url: String, attempt: StoredValue<u32>, reconnect: RwSignal<u64>) {
    spawn_local(async move {
        if let Some(reason) = refusal(&url).await {
            tail.link.set(Link::Refused(reason));
            return;
        }
        let n = attempt.try_get_value().unwrap_or(0);
        let _ = attempt.try_set_value(n.saturating_add(1));
        let delay = (1000u64 << n.min(5)).min(MAX_BACKOFF_MS);
        let _ = tail.link.try_set(Link::Reconnecting(delay.div_ceil(1000)));
        set_timeout(
            move || {
                let _ = reconnect.try_update(|r| *r += 1);
            },
            Duration::from_millis(delay),
        );
    });
}
