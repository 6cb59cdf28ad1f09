//! The actors that own Imprint's mutable state. Each exposes a cloneable typed handle, so
//! HTTP code never touches `Addr`. Hot-path readers use published snapshots instead of
//! queueing behind a mailbox; writes go through the actor, which writes through to the
//! database before it replies and republishes its snapshot.

pub mod alerts;
pub mod environments;
pub mod exports;
pub mod flags;
pub mod impact;
pub mod retention;
pub mod writer;

use std::time::Duration;

/// How long an admin request waits for an actor before giving up.
pub const ACTOR_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a call to an actor failed.
#[derive(Debug, thiserror::Error)]
pub enum ActorError {
    #[error("the service is busy")]
    Busy,
    #[error("the service did not answer in time")]
    Timeout,
    #[error("the service has stopped")]
    Stopped,
}

impl From<actix::MailboxError> for ActorError {
    fn from(err: actix::MailboxError) -> Self {
        match err {
            actix::MailboxError::Closed => ActorError::Stopped,
            actix::MailboxError::Timeout => ActorError::Timeout,
        }
    }
}
