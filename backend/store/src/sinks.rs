//! Sinks: their settings, durable cursors over the impression and event ids, delivery
//! counters and dead letters. The sink actors are the only writers of cursors and counters;
//! HTTP handlers write settings and read the rest.

use sea_orm::sea_query::{Expr, Func, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};

use crate::entities::sink::{self, Column};
use crate::entities::sink_dead_letter::{self, Column as DeadColumn};
use crate::impressions::query_all;
use crate::{now_ms, Database};
pub use sink::Model as SinkRow;
pub use sink_dead_letter::Model as DeadLetterRow;

/// The two outboxes a sink reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stream {
    Impressions,
    Events,
}

impl Stream {
    pub fn as_str(self) -> &'static str {
        match self {
            Stream::Impressions => "impressions",
            Stream::Events => "events",
        }
    }

    pub fn parse(text: &str) -> Option<Stream> {
        match text {
            "impressions" => Some(Stream::Impressions),
            "events" => Some(Stream::Events),
            _ => None,
        }
    }

    fn table(self) -> &'static str {
        self.as_str()
    }

    fn cursor(self) -> Column {
        match self {
            Stream::Impressions => Column::ImpressionCursor,
            Stream::Events => Column::EventCursor,
        }
    }
}

pub struct NewSink {
    pub environment_id: i64,
    pub kind: String,
    pub name: String,
    pub config: String,
    pub secrets: String,
    pub filter: String,
    pub events: bool,
    pub enabled: bool,
}

/// Settings a PATCH may change; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct SinkChange {
    pub name: Option<String>,
    pub config: Option<String>,
    pub secrets: Option<String>,
    pub filter: Option<String>,
    pub events: Option<bool>,
}

/// A delivery loop's claim on a sink: its id and the generation the loop started with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SinkRun {
    pub sink_id: i64,
    pub generation: i64,
}

/// A delivery's effect on a sink's row.
pub struct Delivered {
    pub stream: Stream,
    /// Every row of the stream up to this id is now delivered (or was filtered out).
    pub through_id: i64,
    pub rows: i64,
}

/// A batch set aside after its attempts ran out, or rows the receiver refused for good.
pub struct NewDeadLetter {
    pub stream: Stream,
    pub first_id: i64,
    pub last_id: i64,
    pub row_count: i64,
    pub attempts: i32,
    pub error: String,
}

/// How far behind a sink is in one stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lag {
    /// Rows of the environment after the cursor, counted up to a cap.
    pub rows: i64,
    /// When the oldest undelivered row was received.
    pub oldest_received_at: Option<i64>,
}

#[derive(FromQueryResult)]
struct Count {
    n: i64,
}

#[derive(FromQueryResult)]
struct OptionalId {
    id: Option<i64>,
}

#[derive(FromQueryResult)]
struct ReceivedAt {
    received_at: i64,
}

/// Lag counts stop here: beyond a million rows, the exact number does not change what to do.
const LAG_COUNT_CAP: i64 = 1_000_000;

impl Database {
    /// Creates a sink whose cursors start at the newest rows: it delivers what arrives from
    /// now on (a replay backfills older rows).
    pub async fn create_sink(&self, new: NewSink) -> Result<SinkRow, DbErr> {
        let now = now_ms();
        let (impressions, events) = (
            self.newest_id(Stream::Impressions).await?,
            self.newest_id(Stream::Events).await?,
        );
        sink::ActiveModel {
            environment_id: Set(new.environment_id),
            kind: Set(new.kind),
            name: Set(new.name),
            config: Set(new.config),
            secrets: Set(new.secrets),
            filter: Set(new.filter),
            events: Set(new.events),
            enabled: Set(new.enabled),
            paused_reason: Set(None),
            impression_cursor: Set(impressions),
            event_cursor: Set(events),
            delivered: Set(0),
            failed: Set(0),
            dead_lettered: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&self.conn)
        .await
    }

    pub async fn sink(&self, environment_id: i64, id: i64) -> Result<Option<SinkRow>, DbErr> {
        sink::Entity::find_by_id(id)
            .filter(Column::EnvironmentId.eq(environment_id))
            .one(&self.conn)
            .await
    }

    pub async fn sink_by_id(&self, id: i64) -> Result<Option<SinkRow>, DbErr> {
        sink::Entity::find_by_id(id).one(&self.conn).await
    }

    pub async fn sinks_of_environment(&self, environment_id: i64) -> Result<Vec<SinkRow>, DbErr> {
        sink::Entity::find()
            .filter(Column::EnvironmentId.eq(environment_id))
            .order_by_asc(Column::Id)
            .all(&self.conn)
            .await
    }

    pub async fn all_sinks(&self) -> Result<Vec<SinkRow>, DbErr> {
        sink::Entity::find()
            .order_by_asc(Column::Id)
            .all(&self.conn)
            .await
    }

    pub async fn update_sink(&self, id: i64, change: SinkChange) -> Result<SinkRow, DbErr> {
        let current = sink::Entity::find_by_id(id)
            .one(&self.conn)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound(format!("sink {id}")))?;
        let generation = current.generation;
        let mut row: sink::ActiveModel = current.into();
        if let Some(name) = change.name {
            row.name = Set(name);
        }
        if let Some(config) = change.config {
            row.config = Set(config);
        }
        if let Some(secrets) = change.secrets {
            row.secrets = Set(secrets);
        }
        if let Some(filter) = change.filter {
            row.filter = Set(filter);
        }
        if let Some(events) = change.events {
            row.events = Set(events);
        }
        row.updated_at = Set(now_ms());
        row.generation = Set(generation + 1);
        row.update(&self.conn).await
    }

    pub async fn delete_sink(&self, id: i64) -> Result<(), DbErr> {
        // Dead letters go with their sink (the foreign key cascades on PostgreSQL; SQLite
        // enforces it too, but deleting explicitly keeps both the same without relying on it).
        sink_dead_letter::Entity::delete_many()
            .filter(DeadColumn::SinkId.eq(id))
            .exec(&self.conn)
            .await?;
        sink::Entity::delete_by_id(id).exec(&self.conn).await?;
        Ok(())
    }

    /// Pauses (with the reason shown to users) or resumes a sink. Resuming forgets how long
    /// it had been failing, so a sink paused for failing gets a fresh period.
    pub async fn set_sink_enabled(
        &self,
        id: i64,
        enabled: bool,
        reason: Option<String>,
    ) -> Result<(), DbErr> {
        let mut update = sink::Entity::update_many()
            .col_expr(Column::Enabled, Expr::value(enabled))
            .col_expr(Column::PausedReason, Expr::value(reason))
            .col_expr(Column::UpdatedAt, Expr::value(now_ms()))
            .col_expr(Column::Generation, Expr::col(Column::Generation).add(1));
        if enabled {
            update = update.col_expr(Column::FailingSince, Expr::value(Option::<i64>::None));
        }
        update.filter(Column::Id.eq(id)).exec(&self.conn).await?;
        Ok(())
    }

    /// Moves a cursor forward after the receiver accepted rows (never backward: a replay
    /// moves it back with [`Database::set_sink_cursors`]). False when the sink changed since
    /// `run` started: the caller is outdated and must stop.
    pub async fn record_sink_delivery(&self, run: SinkRun, done: Delivered) -> Result<bool, DbErr> {
        let result = sink::Entity::update_many()
            .col_expr(
                done.stream.cursor(),
                forward_only(done.stream, done.through_id),
            )
            .col_expr(
                Column::Delivered,
                Expr::col(Column::Delivered).add(done.rows),
            )
            .col_expr(Column::LastSuccessAt, Expr::value(Some(now_ms())))
            .col_expr(Column::FailingSince, Expr::value(Option::<i64>::None))
            .filter(Column::Id.eq(run.sink_id))
            .filter(Column::Generation.eq(run.generation))
            .exec(&self.conn)
            .await?;
        Ok(result.rows_affected > 0)
    }

    /// Counts a failed attempt and remembers the receiver's answer. Returns since when the
    /// sink has been failing, or `None` when the sink changed since `run` started.
    pub async fn record_sink_failure(
        &self,
        run: SinkRun,
        error: &str,
    ) -> Result<Option<i64>, DbErr> {
        let now = now_ms();
        let result = sink::Entity::update_many()
            .col_expr(Column::Failed, Expr::col(Column::Failed).add(1))
            .col_expr(Column::LastError, Expr::value(Some(error.to_owned())))
            .col_expr(Column::LastErrorAt, Expr::value(Some(now)))
            .col_expr(
                Column::FailingSince,
                Func::coalesce([Expr::col(Column::FailingSince).into(), Expr::value(now)]).into(),
            )
            .filter(Column::Id.eq(run.sink_id))
            .filter(Column::Generation.eq(run.generation))
            .exec(&self.conn)
            .await?;
        if result.rows_affected == 0 {
            return Ok(None);
        }
        Ok(Some(
            self.sink_by_id(run.sink_id)
                .await?
                .and_then(|s| s.failing_since)
                .unwrap_or(now),
        ))
    }

    /// A delivery loop pausing its own sink, unless a user changed the sink meanwhile.
    pub async fn pause_sink_run(&self, run: SinkRun, reason: String) -> Result<bool, DbErr> {
        let result = sink::Entity::update_many()
            .col_expr(Column::Enabled, Expr::value(false))
            .col_expr(Column::PausedReason, Expr::value(Some(reason)))
            .col_expr(Column::UpdatedAt, Expr::value(now_ms()))
            .col_expr(Column::Generation, Expr::col(Column::Generation).add(1))
            .filter(Column::Id.eq(run.sink_id))
            .filter(Column::Generation.eq(run.generation))
            .exec(&self.conn)
            .await?;
        Ok(result.rows_affected > 0)
    }

    /// Sets rows aside and moves the cursor past them, in one transaction: a crash between
    /// the two could otherwise lose them or record them twice. False (and nothing written)
    /// when the sink changed since `run` started.
    pub async fn dead_letter(
        &self,
        run: SinkRun,
        letter: NewDeadLetter,
        through_id: i64,
    ) -> Result<bool, DbErr> {
        let txn = self.conn.begin().await?;
        let stream = letter.stream;
        let moved = sink::Entity::update_many()
            .col_expr(stream.cursor(), forward_only(stream, through_id))
            .col_expr(
                Column::DeadLettered,
                Expr::col(Column::DeadLettered).add(letter.row_count),
            )
            .filter(Column::Id.eq(run.sink_id))
            .filter(Column::Generation.eq(run.generation))
            .exec(&txn)
            .await?;
        if moved.rows_affected == 0 {
            txn.rollback().await?;
            return Ok(false);
        }
        insert_dead_letter(&txn, run.sink_id, letter).await?;
        txn.commit().await?;
        Ok(true)
    }

    /// Records rows a dead-letter retry found refused again, without touching cursors.
    pub async fn add_dead_letter(&self, sink_id: i64, letter: NewDeadLetter) -> Result<(), DbErr> {
        let txn = self.conn.begin().await?;
        let rows = letter.row_count;
        insert_dead_letter(&txn, sink_id, letter).await?;
        sink::Entity::update_many()
            .col_expr(
                Column::DeadLettered,
                Expr::col(Column::DeadLettered).add(rows),
            )
            .filter(Column::Id.eq(sink_id))
            .exec(&txn)
            .await?;
        txn.commit().await
    }

    pub async fn dead_letters(
        &self,
        sink_id: i64,
        limit: u64,
    ) -> Result<Vec<DeadLetterRow>, DbErr> {
        sink_dead_letter::Entity::find()
            .filter(DeadColumn::SinkId.eq(sink_id))
            .order_by_asc(DeadColumn::Id)
            .limit(limit)
            .all(&self.conn)
            .await
    }

    /// Forgets a dead letter whose rows a retry delivered, and uncounts them.
    pub async fn resolve_dead_letter(&self, letter: &DeadLetterRow) -> Result<(), DbErr> {
        let txn = self.conn.begin().await?;
        let deleted = sink_dead_letter::Entity::delete_by_id(letter.id)
            .exec(&txn)
            .await?;
        if deleted.rows_affected > 0 {
            sink::Entity::update_many()
                .col_expr(
                    Column::DeadLettered,
                    Expr::col(Column::DeadLettered).sub(letter.row_count),
                )
                .filter(Column::Id.eq(letter.sink_id))
                .exec(&txn)
                .await?;
        }
        txn.commit().await
    }

    /// Points both cursors at new places (a replay moves them back).
    pub async fn set_sink_cursors(
        &self,
        id: i64,
        impression_cursor: i64,
        event_cursor: i64,
    ) -> Result<(), DbErr> {
        sink::Entity::update_many()
            .col_expr(Column::ImpressionCursor, Expr::value(impression_cursor))
            .col_expr(Column::EventCursor, Expr::value(event_cursor))
            .col_expr(Column::UpdatedAt, Expr::value(now_ms()))
            .col_expr(Column::Generation, Expr::col(Column::Generation).add(1))
            .filter(Column::Id.eq(id))
            .exec(&self.conn)
            .await?;
        Ok(())
    }

    /// The newest id of a stream, 0 when it is empty.
    pub async fn newest_id(&self, stream: Stream) -> Result<i64, DbErr> {
        let sql = format!("SELECT MAX(id) AS id FROM {}", stream.table());
        let rows: Vec<OptionalId> = query_all(self, &sql, Vec::new()).await?;
        Ok(rows.first().and_then(|r| r.id).unwrap_or(0))
    }

    /// The cursor that makes a sink deliver the environment's rows received since `from`
    /// again: just before the first of them (or the newest id when there is none).
    pub async fn cursor_for_received_since(
        &self,
        stream: Stream,
        environment_id: i64,
        from: i64,
    ) -> Result<i64, DbErr> {
        let sql = format!(
            "SELECT MIN(id) AS id FROM {} WHERE environment_id = {{}} AND received_at >= {{}}",
            stream.table()
        );
        let rows: Vec<OptionalId> =
            query_all(self, &sql, vec![environment_id.into(), from.into()]).await?;
        match rows.first().and_then(|r| r.id) {
            Some(first) => Ok(first - 1),
            None => self.newest_id(stream).await,
        }
    }

    /// Rows of the environment with ids in `after < id <= until`, counted up to a cap.
    pub async fn count_rows_between(
        &self,
        stream: Stream,
        environment_id: i64,
        after: i64,
        until: i64,
    ) -> Result<i64, DbErr> {
        let sql = format!(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM {} WHERE id > {{}} AND id <= {{}} \
             AND environment_id = {{}} LIMIT {LAG_COUNT_CAP}) AS capped",
            stream.table()
        );
        let rows: Vec<Count> = query_all(
            self,
            &sql,
            vec![after.into(), until.into(), environment_id.into()],
        )
        .await?;
        Ok(rows.first().map_or(0, |r| r.n))
    }

    /// How far a cursor is behind the environment's newest rows.
    pub async fn sink_lag(
        &self,
        stream: Stream,
        environment_id: i64,
        cursor: i64,
    ) -> Result<Lag, DbErr> {
        let rows = self
            .count_rows_between(stream, environment_id, cursor, i64::MAX)
            .await?;
        let sql = format!(
            "SELECT received_at FROM {} WHERE id > {{}} AND environment_id = {{}} \
             ORDER BY id LIMIT 1",
            stream.table()
        );
        let oldest: Vec<ReceivedAt> =
            query_all(self, &sql, vec![cursor.into(), environment_id.into()]).await?;
        Ok(Lag {
            rows,
            oldest_received_at: oldest.first().map(|r| r.received_at),
        })
    }
}

async fn insert_dead_letter<C: sea_orm::ConnectionTrait>(
    conn: &C,
    sink_id: i64,
    letter: NewDeadLetter,
) -> Result<(), DbErr> {
    sink_dead_letter::ActiveModel {
        sink_id: Set(sink_id),
        stream: Set(letter.stream.as_str().to_owned()),
        first_id: Set(letter.first_id),
        last_id: Set(letter.last_id),
        row_count: Set(letter.row_count),
        attempts: Set(letter.attempts),
        error: Set(letter.error),
        created_at: Set(now_ms()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// The cursor's new value: `through_id`, unless the cursor is already further.
fn forward_only(stream: Stream, through_id: i64) -> SimpleExpr {
    let cursor = stream.cursor();
    Expr::case(Expr::col(cursor).gt(through_id), Expr::col(cursor))
        .finally(Expr::value(through_id))
        .into()
}
