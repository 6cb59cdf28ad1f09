pub mod dialog;
pub mod icons;
pub mod shell;
pub mod format;
pub mod tracking;
pub mod connect_sdk;
pub mod live_tail;
pub mod retention_panel;
