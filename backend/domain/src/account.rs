//! Rules for console accounts: what a valid email and an acceptable password are.

use thiserror::Error;

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 1024;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum AccountError {
    #[error("`{0}` is not an email address")]
    InvalidEmail(String),
    #[error("passwords need at least {MIN_PASSWORD_CHARS} characters")]
    PasswordTooShort,
    #[error("passwords may have at most {MAX_PASSWORD_CHARS} characters")]
    PasswordTooLong,
}

/// Emails are compared case-insensitively and without surrounding spaces.
pub fn normalize_email(raw: &str) -> Result<String, AccountError> {
    let email = raw.trim().to_lowercase();
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(char::is_whitespace)
                && email.len() <= 254
        }
        None => false,
    };
    if valid {
        Ok(email)
    } else {
        Err(AccountError::InvalidEmail(raw.trim().to_owned()))
    }
}

pub fn check_password_strength(password: &str) -> Result<(), AccountError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(AccountError::PasswordTooShort);
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(AccountError::PasswordTooLong);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lowercased() {
        assert_eq!(
            normalize_email("  Ada@Example.COM "),
            Ok("ada@example.com".into())
        );
    }

    #[test]
    fn strings_without_a_local_part_and_domain_are_not_emails() {
        for bad in [
            "",
            "ada",
            "@example.com",
            "ada@",
            "ada@.com",
            "a da@example.com",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn short_passwords_are_refused() {
        assert_eq!(
            check_password_strength("short"),
            Err(AccountError::PasswordTooShort)
        );
        assert_eq!(check_password_strength("long enough password"), Ok(()));
    }
}
