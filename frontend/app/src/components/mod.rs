pub mod connect_sdk;
pub mod dialog;
pub mod format;
pub mod icons;
pub mod live_tail;
pub mod retention_panel;
pub mod shell;
pub mod tracking;
