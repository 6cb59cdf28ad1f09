pub mod icons;
pub mod shell;
