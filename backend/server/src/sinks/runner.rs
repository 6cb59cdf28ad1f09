//! One sink's delivery loop: read the rows after the cursor, deliver them, move the cursor.
//!
//! The loop holds at most one batch (`max_rows` rows) whatever the backlog. A batch is
//! retried with exponential backoff and jitter, waiting at least as long as the receiver's
//! `Retry-After`; one the receiver finds too large is split in two; rows it refuses for good,
//! and batches whose attempts run out, become dead letters and the cursor moves past them.
//! A receiver that refuses the sink itself (401, 403, 404), or one that has failed for
//! `pause_after`, pauses the sink with the reason.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use imprint_store::events_read::EventScan;
use imprint_store::impressions::{ImpressionScan, ScanRange};
use imprint_store::sinks::{Delivered, NewDeadLetter, SinkRow, SinkRun, Stream};
use imprint_store::{now_ms, Database, DbErr};
use rand::Rng;
use tokio::time::Instant;

use super::delivery::{Answer, Batch, Delivery, FailureKind};
use super::destination::Destination;
use super::new_rows::NewRows;
use super::shared_reads::{Read, ReadKey, SharedReads};
use crate::actors::exports::encode::Page;
use crate::actors::exports::spec::ExportCriteria;

/// How hard a sink tries before it sets a batch aside or pauses.
#[derive(Debug, Clone, Copy)]
pub struct DeliverySettings {
    /// The first retry waits about this long; each further one twice as long.
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// A batch becomes a dead letter after this many failed attempts…
    pub max_attempts: u32,
    /// …or once it has been failing for this long, whichever comes first.
    pub max_age: Duration,
    /// A sink that has failed for this long without a success pauses itself.
    pub pause_after: Duration,
    /// How often an idle sink looks for rows without being woken (a safety net for wakes
    /// that never come, e.g. rows committed by another process).
    pub idle_poll: Duration,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        DeliverySettings {
            retry_base: Duration::from_secs(1),
            retry_max: Duration::from_secs(300),
            max_attempts: 20,
            max_age: Duration::from_secs(3600),
            pause_after: Duration::from_secs(24 * 3600),
            idle_poll: Duration::from_secs(1),
        }
    }
}

/// Why a runner stopped.
#[derive(Debug)]
pub enum Stopped {
    /// The sink paused itself (the reason is stored), or a user changed it since this loop
    /// started (a new loop runs with the new settings).
    Paused,
    Database(DbErr),
}

impl From<DbErr> for Stopped {
    fn from(error: DbErr) -> Self {
        Stopped::Database(error)
    }
}

/// What one look at the outbox found.
enum Progress {
    /// Rows went out (or were skipped by the filter): look again at once.
    Moved,
    /// A partial batch waits for more rows until this instant.
    Partial(Instant, Lacking),
    Idle,
}

/// Rows per stream a waiting sink lacks before another look may find a full batch: what a
/// partial batch misses, one row for a stream with nothing to send.
#[derive(Debug, Clone, Copy)]
struct Lacking {
    impressions: u64,
    events: u64,
}

impl Lacking {
    const ANY_ROW: Lacking = Lacking {
        impressions: 1,
        events: 1,
    };

    fn of(&self, stream: Stream) -> u64 {
        match stream {
            Stream::Impressions => self.impressions,
            Stream::Events => self.events,
        }
    }

    fn set(&mut self, stream: Stream, rows: u64) {
        match stream {
            Stream::Impressions => self.impressions = rows,
            Stream::Events => self.events = rows,
        }
    }
}

pub struct SinkRunner {
    pub db: Database,
    pub sink: SinkRow,
    pub environment: Arc<str>,
    pub destination: Arc<dyn Destination>,
    pub criteria: ExportCriteria,
    pub settings: DeliverySettings,
    pub new_rows: Arc<NewRows>,
    pub shared_reads: SharedReads,
}

impl SinkRunner {
    /// Delivers until the sink pauses itself; database errors are retried after a pause.
    pub async fn run(mut self) {
        loop {
            match self.step().await {
                Ok(Progress::Moved) => {}
                Ok(Progress::Partial(deadline, lacking)) => {
                    self.wait_for_rows(Some((deadline, lacking))).await
                }
                Ok(Progress::Idle) => self.wait_for_rows(None).await,
                Err(Stopped::Paused) => return,
                Err(Stopped::Database(error)) => {
                    tracing::warn!(sink = self.sink.id, %error, "sink cannot read its outbox");
                    tokio::time::sleep(self.settings.idle_poll).await;
                }
            }
        }
    }

    fn streams(&self) -> &'static [Stream] {
        if self.sink.events {
            &[Stream::Impressions, Stream::Events]
        } else {
            &[Stream::Impressions]
        }
    }

    fn cursor(&self, stream: Stream) -> i64 {
        match stream {
            Stream::Impressions => self.sink.impression_cursor,
            Stream::Events => self.sink.event_cursor,
        }
    }

    fn set_cursor(&mut self, stream: Stream, through: i64) {
        let cursor = match stream {
            Stream::Impressions => &mut self.sink.impression_cursor,
            Stream::Events => &mut self.sink.event_cursor,
        };
        *cursor = (*cursor).max(through);
    }

    async fn step(&mut self) -> Result<Progress, Stopped> {
        let batching = self.destination.batching();
        let mut progress = Progress::Idle;
        let mut lacking = Lacking::ANY_ROW;
        for &stream in self.streams() {
            let after = self.cursor(stream);
            let (batch, through) = self.read(stream, after, batching.max_rows).await?;
            let Some(batch) = batch else {
                if through > after {
                    // Every row read was filtered out: remember that they need no reading.
                    self.record_delivered(stream, through, 0).await?;
                    progress = Progress::Moved;
                }
                continue;
            };
            let oldest = batch_oldest_received_at(&batch);
            let flush_at = oldest + batching.flush.as_millis() as i64;
            if batch.len() < batching.max_rows && flush_at > now_ms() {
                let wait = Duration::from_millis((flush_at - now_ms()).max(0) as u64);
                let deadline = Instant::now() + wait;
                lacking.set(stream, (batching.max_rows - batch.len()) as u64);
                progress = match progress {
                    Progress::Partial(other, _) => Progress::Partial(other.min(deadline), lacking),
                    Progress::Moved => Progress::Moved,
                    Progress::Idle => Progress::Partial(deadline, lacking),
                };
                continue;
            }
            self.deliver(batch, through).await?;
            progress = Progress::Moved;
        }
        Ok(progress)
    }

    /// Waits for new rows: a wake from the writer, the flush deadline of a partial batch, or
    /// the idle poll. While a partial batch waits, a wake only ends the wait when enough rows
    /// may have arrived to fill it, so a busy stream does not re-read it on every commit.
    async fn wait_for_rows(&self, partial: Option<(Instant, Lacking)>) {
        let until = match partial {
            Some((deadline, _)) => deadline,
            None => Instant::now() + self.settings.idle_poll,
        };
        loop {
            tokio::select! {
                _ = self.new_rows.notified() => {}
                _ = tokio::time::sleep_until(until) => return,
            }
            let Some((_, lacking)) = partial else { return };
            let may_fill = self
                .streams()
                .iter()
                .any(|&stream| self.new_rows.since_last_read(stream) >= lacking.of(stream));
            if may_fill {
                return;
            }
        }
    }

    /// The next batch after `after` (up to `max_rows` rows), and the id through which the
    /// stream has been read: past rows the filter dropped, so the cursor can skip them.
    async fn read(
        &self,
        stream: Stream,
        after: i64,
        max_rows: usize,
    ) -> Result<(Option<Batch>, i64), DbErr> {
        self.new_rows.reading(stream);
        // The newest id first, then the scan: a name the filter looks up that appears later
        // belongs to rows after `until`, which the next read covers.
        let until = self.db.newest_id(stream).await?;
        if until <= after {
            return Ok((None, after));
        }
        let key = ReadKey {
            environment_id: self.sink.environment_id,
            stream,
            filter: self.sink.filter.clone(),
        };
        if let Some(read) = self.shared_reads.take(&key, after, until, max_rows) {
            return Ok((self.batch(read.rows), read.through));
        }
        let range = ScanRange { after, until };
        let (batch, through) = read_range(
            &self.db,
            &self.sink,
            &self.environment,
            &self.criteria,
            stream,
            range,
            max_rows,
        )
        .await?;
        let rows = match &batch {
            Some(batch) => batch.rows.prefix(batch.len()),
            None => empty_page(stream),
        };
        let read = Read {
            after,
            until,
            rows,
            through,
        };
        self.shared_reads.keep(key, &read, max_rows);
        Ok((batch, through))
    }

    fn batch(&self, rows: Page) -> Option<Batch> {
        (!rows.is_empty()).then(|| Batch {
            environment_id: self.sink.environment_id,
            environment: self.environment.clone(),
            rows,
        })
    }

    /// Delivers a batch, splitting, retrying and dead-lettering as the answers require.
    async fn deliver(&mut self, batch: Batch, through: i64) -> Result<(), Stopped> {
        let stream = batch.stream();
        let mut queue = VecDeque::from([(batch, through)]);
        while let Some((batch, through)) = queue.pop_front() {
            let mut attempts = 0u32;
            let first_failure = Instant::now();
            loop {
                attempts += 1;
                let answer = match self.destination.deliver(&batch).await {
                    Delivery::Accepted(_) => {
                        self.record_delivered(stream, through, batch.len() as i64)
                            .await?;
                        break;
                    }
                    Delivery::PartlyRejected { rejected, answer } => {
                        // Indices come from the receiver's answer: ignore any it made up.
                        let rejected: Vec<usize> =
                            rejected.into_iter().filter(|&i| i < batch.len()).collect();
                        for &i in &rejected {
                            let id = batch.id(i);
                            self.dead_letter(stream, (id, id), 1, attempts, &answer, id)
                                .await?;
                        }
                        let accepted = batch.len().saturating_sub(rejected.len()) as i64;
                        self.record_delivered(stream, through, accepted).await?;
                        break;
                    }
                    Delivery::Failed {
                        kind: FailureKind::TooLarge,
                        ..
                    } if batch.len() > 1 => {
                        let mid = batch.len() / 2;
                        let first_through = batch.id(mid - 1);
                        let (first, second) = batch.split_at(mid);
                        queue.push_front((second, through));
                        queue.push_front((first, first_through));
                        break;
                    }
                    Delivery::Failed { kind, answer } => (kind, answer),
                };
                let (kind, answer) = answer;
                let failing_since = self
                    .db
                    .record_sink_failure(self.run_id(), &answer.to_string())
                    .await?
                    .ok_or(Stopped::Paused)?;
                let range = (batch.first_id(), batch.last_id());
                let rows = batch.len() as i64;
                match kind {
                    FailureKind::Misconfigured => {
                        return self
                            .pause(format!(
                                "the receiver refused this sink ({answer}); fix its settings, \
                                 then resume it"
                            ))
                            .await;
                    }
                    FailureKind::Rejected | FailureKind::TooLarge => {
                        self.dead_letter(stream, range, rows, attempts, &answer, through)
                            .await?;
                        break;
                    }
                    FailureKind::Transient { retry_after } => {
                        let failing_for = now_ms() - failing_since;
                        if failing_for >= self.settings.pause_after.as_millis() as i64 {
                            return self
                                .pause(format!(
                                    "paused after failing for {}; last answer: {answer}",
                                    humanize(self.settings.pause_after)
                                ))
                                .await;
                        }
                        let exhausted = attempts >= self.settings.max_attempts
                            || first_failure.elapsed() >= self.settings.max_age;
                        if exhausted {
                            self.dead_letter(stream, range, rows, attempts, &answer, through)
                                .await?;
                            break;
                        }
                        tokio::time::sleep(self.backoff(attempts, retry_after)).await;
                    }
                }
            }
        }
        Ok(())
    }

    /// Exponential backoff with full jitter over the upper half, never shorter than the
    /// receiver asked for.
    fn backoff(&self, attempts: u32, retry_after: Option<Duration>) -> Duration {
        let exponent = attempts.saturating_sub(1).min(20);
        let ceiling = self
            .settings
            .retry_base
            .saturating_mul(1 << exponent)
            .min(self.settings.retry_max);
        let jittered = ceiling.mul_f64(rand::thread_rng().gen_range(0.5..=1.0));
        // A receiver's Retry-After is honoured up to an hour; beyond, it is more likely a
        // misconfiguration than a plan.
        match retry_after {
            Some(asked) => jittered.max(asked.min(Duration::from_secs(3600))),
            None => jittered,
        }
    }

    fn run_id(&self) -> SinkRun {
        SinkRun {
            sink_id: self.sink.id,
            generation: self.sink.generation,
        }
    }

    async fn record_delivered(
        &mut self,
        stream: Stream,
        through: i64,
        rows: i64,
    ) -> Result<(), Stopped> {
        let done = Delivered {
            stream,
            through_id: through,
            rows,
        };
        if !self.db.record_sink_delivery(self.run_id(), done).await? {
            return Err(Stopped::Paused);
        }
        self.set_cursor(stream, through);
        Ok(())
    }

    async fn dead_letter(
        &mut self,
        stream: Stream,
        (first_id, last_id): (i64, i64),
        row_count: i64,
        attempts: u32,
        answer: &Answer,
        through: i64,
    ) -> Result<(), Stopped> {
        tracing::warn!(
            sink = self.sink.id,
            first_id,
            last_id,
            error = %answer,
            "sink set rows aside as a dead letter"
        );
        let recorded = self
            .db
            .dead_letter(
                self.run_id(),
                NewDeadLetter {
                    stream,
                    first_id,
                    last_id,
                    row_count,
                    attempts: attempts.min(i32::MAX as u32) as i32,
                    error: answer.to_string(),
                },
                through,
            )
            .await?;
        if !recorded {
            return Err(Stopped::Paused);
        }
        self.set_cursor(stream, through);
        Ok(())
    }

    async fn pause(&mut self, reason: String) -> Result<(), Stopped> {
        tracing::warn!(sink = self.sink.id, %reason, "sink paused itself");
        self.db.pause_sink_run(self.run_id(), reason).await?;
        Err(Stopped::Paused)
    }
}

/// Reads up to `max_rows` rows of `range` through the sink's filter: the batch (if any row
/// matched) and the id through which the range has been read.
pub async fn read_range(
    db: &Database,
    sink: &SinkRow,
    environment: &Arc<str>,
    criteria: &ExportCriteria,
    stream: Stream,
    range: ScanRange,
    max_rows: usize,
) -> Result<(Option<Batch>, i64), DbErr> {
    let env = sink.environment_id;
    let (rows, through) = match stream {
        Stream::Impressions => {
            let query = criteria.impression_query(env);
            let mut scan = ImpressionScan::resume(db, &query, range).await?;
            let mut rows = Vec::new();
            while rows.len() < max_rows {
                match scan.next_page((max_rows - rows.len()) as u64).await? {
                    Some(page) => rows.extend(page),
                    None => break,
                }
            }
            (Page::Impressions(rows), scan.range().after)
        }
        Stream::Events => {
            let query = criteria.event_query(env);
            let mut scan = EventScan::resume(db, &query, range).await?;
            let mut rows = Vec::new();
            while rows.len() < max_rows {
                match scan.next_page((max_rows - rows.len()) as u64).await? {
                    Some(page) => rows.extend(page),
                    None => break,
                }
            }
            (Page::Events(rows), scan.range().after)
        }
    };
    // A scan that matches nothing (a filter naming values never stored) reports no progress;
    // none of the range's rows can match, so all of it is read.
    let through = if rows.is_empty() {
        range.until
    } else {
        through.max(range.after)
    };
    let batch = (!rows.is_empty()).then(|| Batch {
        environment_id: env,
        environment: environment.clone(),
        rows,
    });
    Ok((batch, through))
}

fn empty_page(stream: Stream) -> Page {
    match stream {
        Stream::Impressions => Page::Impressions(Vec::new()),
        Stream::Events => Page::Events(Vec::new()),
    }
}

fn batch_oldest_received_at(batch: &Batch) -> i64 {
    match &batch.rows {
        Page::Impressions(rows) => rows.iter().map(|r| r.received_at).min(),
        Page::Events(rows) => rows.iter().map(|r| r.received_at).min(),
    }
    .unwrap_or_else(now_ms)
}

fn humanize(duration: Duration) -> String {
    let seconds = duration.as_secs();
    match seconds {
        s if s % 3600 == 0 && s > 0 => format!("{} h", s / 3600),
        s if s % 60 == 0 && s > 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}
