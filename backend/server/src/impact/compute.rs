//! One impact computation: the metric, the flag's definition and tracking, the sums from the
//! database, then the figures.

use std::sync::Arc;

use imprint_store::impact::ImpactRange;
use imprint_store::{Database, DbErr};
use imprint_types::{ImpactView, ImpactWindow, SrmCheck};

use super::{figures, metric_view};
use crate::actors::flags::Flags;
use crate::http::iso_time;

/// The window when none is given: the last 14 days.
pub const DEFAULT_WINDOW_MS: i64 = 14 * 24 * 3600 * 1000;

/// A window as asked: missing ends follow the clock, so a cached "last 14 days" stays the
/// last 14 days when it is refreshed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct WindowSpec {
    pub from: Option<i64>,
    pub to: Option<i64>,
}

impl WindowSpec {
    pub fn resolve(self, now: i64) -> ImpactRange {
        let to = self.to.unwrap_or(now);
        let from = self.from.unwrap_or(to - DEFAULT_WINDOW_MS);
        ImpactRange { from, to }
    }
}

/// What an impact is computed for; the cache's key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImpactKey {
    pub environment_id: i64,
    pub flag: String,
    pub metric_id: i64,
    /// `None`: the definition's default treatment, as it is when computed.
    pub baseline: Option<String>,
    pub window: WindowSpec,
}

/// What a result was computed from: the metric's `updated_at` and the flag's change number
/// (definitions and tracking changes move it). A cached result from older versions is stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Versions {
    pub metric: i64,
    pub flag: i64,
}

/// Why no impact could be computed. Cloneable: one computation answers every waiting caller.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ComputeError {
    /// The flag or the metric was deleted meanwhile.
    #[error("{0}")]
    Gone(String),
    #[error("the database failed: {0}")]
    Db(Arc<DbErr>),
}

impl From<DbErr> for ComputeError {
    fn from(err: DbErr) -> Self {
        ComputeError::Db(Arc::new(err))
    }
}

pub async fn compute(
    db: &Database,
    flags: &Flags,
    key: &ImpactKey,
    now: i64,
) -> Result<(ImpactView, Versions), ComputeError> {
    let env = key.environment_id;
    let flag = db
        .find_flag(env, &key.flag)
        .await?
        .ok_or_else(|| ComputeError::Gone(format!("there is no flag `{}`", key.flag)))?;
    let metric = db
        .metric_by_id(env, key.metric_id)
        .await?
        .ok_or_else(|| ComputeError::Gone(format!("there is no metric {}", key.metric_id)))?;
    let catalog = flags.catalog(env);
    let definition = catalog.definitions.get(&flag.name);
    let range = key.window.resolve(now);
    let sums = db.metric_sums(env, flag.id, &metric, range).await?;

    let names = figures::treatments(definition, &sums);
    let baseline = key
        .baseline
        .clone()
        .unwrap_or_else(|| figures::default_baseline(definition, &sums));
    let versions = Versions {
        metric: metric.updated_at,
        flag: flag.change_number,
    };
    let metric = metric_view(&metric);
    let srm = match definition {
        Some(definition) => figures::sample_ratio(figures::expected_shares(definition), &sums),
        None => SrmCheck {
            p_value: None,
            mismatch: false,
            expected: Vec::new(),
        },
    };
    let seen = sums.excluded_users + sums.treatments.iter().map(|t| t.exposed).sum::<u64>();
    let off_throughout = flags
        .of_environment(env)
        .get(&flag.name)
        .is_some_and(|state| state.tracking_history.off_throughout(range.from, range.to));
    let view = ImpactView {
        flag: flag.name,
        treatments: figures::treatment_impacts(&names, &sums),
        comparisons: figures::comparisons(&names, &baseline, &sums, metric.direction),
        baseline,
        metric,
        srm,
        excluded_users: sums.excluded_users,
        window: ImpactWindow {
            from: iso_time(range.from),
            to: iso_time(range.to),
        },
        tracked: !(off_throughout && seen == 0),
        computed_at: iso_time(now),
        method: figures::METHOD.to_owned(),
    };
    Ok((view, versions))
}
