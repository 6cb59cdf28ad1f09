//! Which characters a stored string may hold. PostgreSQL refuses NUL in text outright, and
//! one such value used to fail a whole group-committed transaction; the other control
//! characters have no business in a key or a name either, and bidirectional overrides make a
//! name display as another one in the console. So they are refused at the edge, on both
//! databases alike.

/// What is wrong with one character of a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForbiddenChar {
    /// Byte offset of the character in the string.
    pub at: usize,
    pub char: char,
    pub kind: &'static str,
}

impl ForbiddenChar {
    /// "`field` holds U+0000 (a control character) at byte 3; ...".
    pub fn message(&self, field: &str) -> String {
        format!(
            "`{field}` holds U+{:04X} ({}) at byte {}; control characters and bidirectional \
             overrides are not accepted.",
            self.char as u32, self.kind, self.at
        )
    }
}

const CONTROL: &str = "a control character";
const BIDI: &str = "a bidirectional override";

/// Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069). The
/// plain marks (U+200E, U+200F, U+061C) stay allowed: right-to-left text legitimately uses
/// them and they cannot reorder what follows.
fn is_bidi_override(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The first character a key, name or header value may not hold: any control character
/// (C0, DEL, C1) or a bidirectional override.
pub fn forbidden_in_name(value: &str) -> Option<ForbiddenChar> {
    // Printable ASCII is by far the common case and needs no decoding.
    if value.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return None;
    }
    first_forbidden(value, |c| {
        if c.is_control() {
            Some(CONTROL)
        } else if is_bidi_override(c) {
            Some(BIDI)
        } else {
            None
        }
    })
}

/// The first character free text (a property's string value) may not hold: the control
/// characters other than tab, line feed and carriage return, which text legitimately has.
pub fn forbidden_in_text(value: &str) -> Option<ForbiddenChar> {
    if value.bytes().all(|b| b >= 0x20 && b != 0x7f && b < 0x80) {
        return None;
    }
    first_forbidden(value, |c| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r')).then_some(CONTROL)
    })
}

fn first_forbidden(
    value: &str,
    classify: impl Fn(char) -> Option<&'static str>,
) -> Option<ForbiddenChar> {
    value
        .char_indices()
        .find_map(|(at, c)| classify(c).map(|kind| ForbiddenChar { at, char: c, kind }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_refuse_controls_and_bidi_overrides_but_not_other_unicode() {
        assert_eq!(forbidden_in_name("user-1"), None);
        assert_eq!(forbidden_in_name("ünïcødé 用户 مرحبا\u{200F}"), None);
        let nul = forbidden_in_name("ab\u{0}c").unwrap();
        assert_eq!((nul.at, nul.char, nul.kind), (2, '\0', CONTROL));
        assert_eq!(forbidden_in_name("a\tb").unwrap().kind, CONTROL);
        assert_eq!(forbidden_in_name("a\u{7f}").unwrap().kind, CONTROL);
        assert_eq!(forbidden_in_name("a\u{85}").unwrap().kind, CONTROL);
        assert_eq!(forbidden_in_name("evil\u{202E}txt").unwrap().kind, BIDI);
        assert_eq!(forbidden_in_name("\u{2066}x").unwrap().kind, BIDI);
        assert!(nul.message("k").contains("U+0000"));
    }

    #[test]
    fn text_keeps_whitespace_controls_only() {
        assert_eq!(forbidden_in_text("line 1\nline 2\tend\r"), None);
        assert_eq!(forbidden_in_text("\u{202E}is text"), None);
        assert_eq!(forbidden_in_text("a\u{0}").unwrap().at, 1);
        assert_eq!(forbidden_in_text("a\u{1b}[31m").unwrap().kind, CONTROL);
    }
}
