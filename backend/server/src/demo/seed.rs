//! The demo environment: created once, on a fresh database, with flags that have real
//! definitions, a segment, and metrics, each written through the same actors or store calls,
//! and the same audit log, as the console's edits.

use anyhow::Context;
use imprint_domain::definitions::FlagDefinition;
use imprint_store::environments::{Actor, EnvironmentRow};
use serde_json::json;

use crate::actors::environments::CreateEnvironment;
use crate::actors::flags::{DefinitionEdit, SaveDefinition, SaveSegment};
use crate::state::AppState;

/// The environment the simulator sends to.
pub const DEMO_ENVIRONMENT: &str = "demo";
/// The flag whose `on` treatment really raises checkout conversion.
pub const CHECKOUT_FLAG: &str = "new_checkout";
pub const BETA_SEGMENT: &str = "beta_testers";
/// Keys of the beta segment: the first users of the simulated pool.
pub const BETA_USERS: usize = 100;

/// Who the demo's changes are recorded as in the audit log.
pub fn demo_actor() -> Actor {
    Actor {
        id: None,
        label: "demo".into(),
    }
}

/// The demo environment: the existing one, or a new one when the database holds no
/// environment at all. `None` when other environments exist: the demo never writes into a
/// database someone already uses.
pub async fn demo_environment(state: &AppState) -> anyhow::Result<Option<EnvironmentRow>> {
    if let Some(env) = state.db.find_environment_by_name(DEMO_ENVIRONMENT).await? {
        super::metrics::ensure_metrics(state, &env).await?;
        return Ok(Some(env));
    }
    if !state.db.list_environments().await?.is_empty() {
        return Ok(None);
    }
    let (env, _keys) = state
        .environments
        .call(CreateEnvironment {
            actor: demo_actor(),
            name: DEMO_ENVIRONMENT.into(),
            retention_days: 30,
        })
        .await
        .context("creating the demo environment")??;
    let beta: Vec<String> = (0..BETA_USERS).map(super::visits::user_key).collect();
    state
        .flags
        .call(SaveSegment {
            actor: demo_actor(),
            environment_id: env.id,
            environment_name: env.name.clone(),
            name: BETA_SEGMENT.into(),
            description: "Users who opted into early features".into(),
            keys: beta,
        })
        .await
        .context("creating the demo segment")??;
    for definition in definitions()? {
        save(state, &env, definition).await?;
    }
    super::metrics::ensure_metrics(state, &env).await?;
    tracing::info!(
        environment = DEMO_ENVIRONMENT,
        "created the demo environment"
    );
    Ok(Some(env))
}

async fn save(
    state: &AppState,
    env: &EnvironmentRow,
    mut definition: FlagDefinition,
) -> anyhow::Result<()> {
    definition.seed = rand::random::<i32>();
    definition.traffic_allocation_seed = rand::random::<i32>();
    let name = definition.name.clone();
    state
        .flags
        .call(SaveDefinition {
            actor: demo_actor(),
            environment_id: env.id,
            environment_name: env.name.clone(),
            flag_name: name.clone(),
            edit: DefinitionEdit::Replace(Box::new(definition)),
            expected_change_number: None,
            action: "flag.create",
        })
        .await
        .with_context(|| format!("creating demo flag {name}"))?
        .with_context(|| format!("creating demo flag {name}"))?;
    Ok(())
}

/// Three flags: an experiment with a real effect (checkout), a three-way ranking test whose
/// beta testers always get the newest variant, and a rollout to mobile platforms.
pub fn definitions() -> anyhow::Result<Vec<FlagDefinition>> {
    let half = |a: &str, b: &str| json!({"split": [{"treatment": a, "size": 50}, {"treatment": b, "size": 50}]});
    let flags = [
        json!({
            "name": CHECKOUT_FLAG, "traffic_type": "user", "default_treatment": "off",
            "treatments": [{"name": "on", "config": {"layout": "one-page"}}, {"name": "off"}],
            "sets": ["checkout"], "rules": [], "default_rule": half("on", "off")
        }),
        json!({
            "name": "search_ranking", "traffic_type": "user", "default_treatment": "v1",
            "treatments": [{"name": "v1"}, {"name": "v2"}, {"name": "v3"}],
            "rules": [{"matchers": [{"condition": {"type": "in_segment", "segment": BETA_SEGMENT}}],
                       "serve": {"treatment": "v3"}}],
            "default_rule": half("v1", "v2")
        }),
        json!({
            "name": "dark_mode", "traffic_type": "user", "default_treatment": "off",
            "treatments": [{"name": "on"}, {"name": "off"}],
            "rules": [{"matchers": [{"attribute": "platform",
                                     "condition": {"type": "in_list", "values": ["ios", "android"]}}],
                       "serve": {"split": [{"treatment": "on", "size": 30}, {"treatment": "off", "size": 70}]}}],
            "default_rule": {"treatment": "off"}
        }),
    ];
    flags
        .into_iter()
        .map(|f| serde_json::from_value(f).context("a demo flag definition"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_flags_are_valid_definitions() {
        for definition in definitions().unwrap() {
            let segments = |s: &str| s == BETA_SEGMENT;
            let flags = |_: &str| false;
            definition
                .validate(&segments, &flags)
                .unwrap_or_else(|e| panic!("{}: {e:?}", definition.name));
        }
    }
}
