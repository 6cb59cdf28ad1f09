//! The alerts actor: evaluates every enabled alert policy on a schedule, and one policy when
//! asked (the API's "evaluate now"), then tells the policies' webhooks what fired or resolved.
//!
//! Evaluations run one at a time (a mutex every evaluation holds): two evaluations of one
//! policy at once could both see no open alert and fire it twice. A scheduled round skips its
//! turn while the previous round still runs, so a slow database never stacks rounds up.
//! Webhook deliveries run on their own, so retries never hold up an evaluation.

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use imprint_store::alerts::{AlertPolicyRow, AlertRow};
use imprint_store::{now_ms, Database, DbErr};
use tokio::sync::Mutex;

use super::flags::Flags;
use super::ActorError;
use crate::alerts::alert_view;
use crate::alerts::evaluate::{evaluate, Outcome};
use crate::alerts::webhook::{deliver, Delivery};

#[derive(Debug, Clone, Copy)]
pub struct AlertSettings {
    /// How often every enabled policy is evaluated.
    pub interval: Duration,
    /// Each webhook request's timeout.
    pub request_timeout: Duration,
}

impl Default for AlertSettings {
    fn default() -> Self {
        AlertSettings {
            interval: Duration::from_secs(60),
            request_timeout: Duration::from_secs(10),
        }
    }
}

/// What evaluations share.
#[derive(Clone)]
struct Evaluator {
    db: Database,
    flags: Flags,
    http: reqwest::Client,
    one_at_a_time: Arc<Mutex<()>>,
}

impl Evaluator {
    async fn run(&self, policy: &AlertPolicyRow) -> Result<Outcome, DbErr> {
        let _turn = self.one_at_a_time.lock().await;
        let outcome = evaluate(&self.db, &self.flags, policy, now_ms()).await?;
        self.notify(policy, &outcome);
        Ok(outcome)
    }

    /// Sends each change to the policy's webhook, in the background.
    fn notify(&self, policy: &AlertPolicyRow, outcome: &Outcome) {
        let (Some(url), Some(secret)) = (&policy.webhook_url, &policy.webhook_secret) else {
            return;
        };
        let changed: Vec<&AlertRow> = outcome.fired.iter().chain(&outcome.resolved).collect();
        for alert in changed {
            let delivery = Delivery {
                url: url.clone(),
                secret: secret.clone(),
                alert: alert_view(alert, &outcome.metric_name),
            };
            let http = self.http.clone();
            actix::spawn(async move {
                deliver(&http, &delivery).await;
            });
        }
    }

    async fn run_all(&self) -> Result<(), DbErr> {
        for policy in self.db.enabled_alert_policies().await? {
            if let Err(err) = self.run(&policy).await {
                tracing::warn!(policy = policy.id, error = %err, "alert policy evaluation failed");
            }
        }
        Ok(())
    }
}

pub struct AlertsActor {
    evaluator: Evaluator,
    interval: Duration,
    round_running: bool,
}

impl Actor for AlertsActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(64);
        ctx.run_interval(self.interval, |actor, ctx| actor.start_round(ctx));
    }
}

impl AlertsActor {
    fn start_round(&mut self, ctx: &mut Context<Self>) {
        if self.round_running {
            return;
        }
        self.round_running = true;
        let evaluator = self.evaluator.clone();
        let round = async move {
            if let Err(err) = evaluator.run_all().await {
                tracing::warn!(error = %err, "alert policies could not be read");
            }
        };
        ctx.spawn(
            round
                .into_actor(self)
                .map(|(), actor, _| actor.round_running = false),
        );
    }
}

#[derive(Message)]
#[rtype(result = "Result<Outcome, DbErr>")]
struct EvaluateNow(AlertPolicyRow);

impl Handler<EvaluateNow> for AlertsActor {
    type Result = ResponseFuture<Result<Outcome, DbErr>>;

    fn handle(&mut self, msg: EvaluateNow, _ctx: &mut Self::Context) -> Self::Result {
        let evaluator = self.evaluator.clone();
        Box::pin(async move { evaluator.run(&msg.0).await })
    }
}

/// Why the handle gave no outcome.
#[derive(Debug, thiserror::Error)]
pub enum AlertsError {
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error(transparent)]
    Actor(#[from] ActorError),
}

/// The typed handle.
#[derive(Clone)]
pub struct Alerts {
    addr: Addr<AlertsActor>,
    evaluator: Evaluator,
}

/// An evaluation reads a metric over 14 days for each watched flag: seconds at volume.
const EVALUATE_TIMEOUT: Duration = Duration::from_secs(300);

impl Alerts {
    pub fn start(db: Database, flags: Flags, settings: AlertSettings) -> anyhow::Result<Alerts> {
        let http = reqwest::Client::builder()
            .timeout(settings.request_timeout)
            .user_agent(concat!("imprint-alerts/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let evaluator = Evaluator {
            db,
            flags,
            http,
            one_at_a_time: Arc::new(Mutex::new(())),
        };
        let addr = AlertsActor {
            evaluator: evaluator.clone(),
            interval: settings.interval,
            round_running: false,
        }
        .start();
        Ok(Alerts { addr, evaluator })
    }

    /// Evaluates `policy` now and answers what is firing after it.
    pub async fn evaluate_now(&self, policy: AlertPolicyRow) -> Result<Outcome, AlertsError> {
        let answer = tokio::time::timeout(EVALUATE_TIMEOUT, self.addr.send(EvaluateNow(policy)))
            .await
            .map_err(|_| ActorError::Timeout)?
            .map_err(ActorError::from)?;
        Ok(answer?)
    }

    /// Resolves the firing alerts of a policy that was disabled, and tells its webhook.
    pub async fn resolve_all(&self, policy: &AlertPolicyRow) -> Result<(), DbErr> {
        let _turn = self.evaluator.one_at_a_time.lock().await;
        let resolved = crate::alerts::evaluate::resolve_all(&self.evaluator.db, policy).await?;
        let metric_name = self
            .evaluator
            .db
            .metric_by_id(policy.environment_id, policy.metric_id)
            .await?
            .map(|m| m.name)
            .unwrap_or_default();
        self.evaluator.notify(
            policy,
            &Outcome {
                resolved,
                metric_name,
                ..Outcome::default()
            },
        );
        Ok(())
    }
}
