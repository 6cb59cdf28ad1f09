//! The environment the console is looking at. It lives in the URL (`/e/{env}/…`), so links
//! and reloads keep it; the shell's picker changes it.

use imprint_types::EnvironmentView;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::api;

/// The environment named by the current URL, or the empty string outside `/e/…`.
pub fn use_current_env() -> Memo<String> {
    let location = use_location();
    Memo::new(move |_| env_of_path(&location.pathname.get()).unwrap_or_default())
}

pub fn env_of_path(path: &str) -> Option<String> {
    let rest = path.strip_prefix("/e/")?;
    let name = rest.split('/').next().filter(|n| !n.is_empty())?;
    Some(percent_decode(name))
}

/// Environment names are plain (letters, digits, `-_.`), but links are decoded defensively.
pub fn percent_decode(value: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%' && i + 2 < bytes.len())
            .then(|| Some(hex(bytes[i + 1])? * 16 + hex(bytes[i + 2])?))
            .flatten();
        match escaped {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The environments, shared by the shell's picker and the pages that list them.
#[derive(Clone, Copy)]
pub struct Environments(pub LocalResource<Result<Vec<EnvironmentView>, api::ApiError>>);

pub fn provide_environments() -> Environments {
    let resource = Environments(LocalResource::new(|| {
        api::get::<Vec<EnvironmentView>>("/api/v1/environments")
    }));
    provide_context(resource);
    resource
}

pub fn use_environments() -> Environments {
    expect_context::<Environments>()
}

/// A path inside an environment: `/e/{env}{rest}`.
pub fn env_path(env: &str, rest: &str) -> String {
    format!("/e/{env}{rest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_comes_from_the_url() {
        assert_eq!(
            env_of_path("/e/production/flags/x"),
            Some("production".into())
        );
        assert_eq!(env_of_path("/e/staging"), Some("staging".into()));
        assert_eq!(env_of_path("/environments"), None);
        assert_eq!(env_of_path("/e/"), None);
        assert_eq!(percent_decode("a%2Eb"), "a.b");
    }
}
