//! Validation of a definition before it is stored and served. Each check protects an SDK
//! behaviour: partitions that do not add up to 100 make the JS SDK throw (`control` for
//! everyone), a list value the SDKs can never see is a silent no-op, and so on.

use super::labels::{MAX_LABEL_BYTES, RESERVED_LABELS};
use super::model::{
    FieldError, FlagDefinition, Matcher, MatcherCondition, NumericType, Prerequisite, Rule, Serve,
};
use super::regex_js::{self, PatternError};
use super::semver::Semver;
use super::CONTROL;
use std::cmp::Ordering;
use std::collections::HashSet;

const MAX_NAME_CHARS: usize = 100;

struct Checker<'a> {
    flag: &'a FlagDefinition,
    segment_exists: &'a dyn Fn(&str) -> bool,
    flag_exists: &'a dyn Fn(&str) -> bool,
    errors: Vec<FieldError>,
}

pub(crate) fn validate(
    flag: &FlagDefinition,
    segment_exists: &dyn Fn(&str) -> bool,
    flag_exists: &dyn Fn(&str) -> bool,
) -> Result<(), Vec<FieldError>> {
    let mut checker = Checker {
        flag,
        segment_exists,
        flag_exists,
        errors: Vec::new(),
    };
    checker.top_level();
    for (index, rule) in flag.rules.iter().enumerate() {
        checker.rule(&format!("rules[{index}]"), rule);
    }
    match &flag.default_rule {
        Some(serve) => checker.serve("default_rule", serve),
        None if flag.rules.is_empty() => checker.error(
            "default_rule",
            "a flag needs a default rule or at least one rule (the JS SDK answers `control` \
             for a flag without any)",
        ),
        None => {}
    }
    for (index, prerequisite) in flag.prerequisites.iter().enumerate() {
        checker.prerequisite(index, prerequisite);
    }
    if checker.errors.is_empty() {
        Ok(())
    } else {
        Err(checker.errors)
    }
}

/// Names of flags, traffic types and treatments: a letter or digit, then letters, digits,
/// `-`, `_` or `.`.
fn name_problem(name: &str) -> Option<String> {
    let mut chars = name.chars();
    match chars.next() {
        None => Some("must not be empty".into()),
        Some(first) if !first.is_ascii_alphanumeric() => {
            Some("must start with a letter or a digit".into())
        }
        _ if name.chars().count() > MAX_NAME_CHARS => {
            Some(format!("must be at most {MAX_NAME_CHARS} characters"))
        }
        _ if !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) => {
            Some("may only contain letters, digits, '-', '_' and '.'".into())
        }
        _ => None,
    }
}

/// The SDKs' own rule for flag sets (JS `utils/settingsValidation/splitFilters.ts`).
fn valid_set_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 50
        && (bytes[0].is_ascii_lowercase() || bytes[0].is_ascii_digit())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
}

impl Checker<'_> {
    fn error(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    fn top_level(&mut self) {
        let flag = self.flag;
        if let Some(problem) = name_problem(&flag.name) {
            self.error("name", problem);
        }
        if let Some(problem) = name_problem(&flag.traffic_type) {
            self.error("traffic_type", problem);
        }
        if flag.treatments.is_empty() {
            self.error("treatments", "a flag needs at least one treatment");
        }
        let mut seen = HashSet::new();
        for (index, treatment) in flag.treatments.iter().enumerate() {
            let field = format!("treatments[{index}]");
            if let Some(problem) = name_problem(&treatment.name) {
                self.error(format!("{field}.name"), problem);
            } else if treatment.name == CONTROL {
                self.error(
                    format!("{field}.name"),
                    "`control` is reserved: the SDKs serve it when they cannot evaluate",
                );
            } else if !seen.insert(treatment.name.as_str()) {
                self.error(
                    format!("{field}.name"),
                    format!("`{}` is listed twice", treatment.name),
                );
            }
            if treatment.config.as_ref().is_some_and(|c| !c.is_object()) {
                self.error(format!("{field}.config"), "must be a JSON object");
            }
        }
        self.known_treatment("default_treatment", &flag.default_treatment);
        if flag.traffic_allocation > 100 {
            self.error("traffic_allocation", "must be between 0 and 100");
        }
        let mut sets = HashSet::new();
        for (index, set) in flag.sets.iter().enumerate() {
            if !valid_set_name(set) {
                self.error(
                    format!("sets[{index}]"),
                    "must be 1 to 50 lowercase letters, digits or '_', starting with a letter \
                     or a digit",
                );
            } else if !sets.insert(set.as_str()) {
                self.error(format!("sets[{index}]"), format!("`{set}` is listed twice"));
            }
        }
    }

    fn known_treatment(&mut self, field: &str, name: &str) {
        if self.flag.treatment(name).is_none() {
            self.error(
                field,
                format!("`{name}` is not one of the flag's treatments"),
            );
        }
    }

    fn rule(&mut self, field: &str, rule: &Rule) {
        if rule.matchers.is_empty() {
            self.error(
                format!("{field}.matchers"),
                "a rule needs at least one matcher",
            );
        }
        for (index, matcher) in rule.matchers.iter().enumerate() {
            self.matcher(&format!("{field}.matchers[{index}]"), matcher);
        }
        self.serve(&format!("{field}.serve"), &rule.serve);
        if let Some(label) = &rule.label {
            let field = format!("{field}.label");
            if label.trim().is_empty() {
                self.error(
                    field,
                    "must not be empty (leave it out to have one generated)",
                );
            } else if label.len() > MAX_LABEL_BYTES {
                self.error(field, format!("must be at most {MAX_LABEL_BYTES} bytes"));
            } else if RESERVED_LABELS.contains(&label.as_str()) {
                self.error(field, format!("`{label}` is reserved for a special case"));
            }
        }
    }

    fn serve(&mut self, field: &str, serve: &Serve) {
        match serve {
            Serve::Treatment(name) => self.known_treatment(&format!("{field}.treatment"), name),
            Serve::Split(partitions) => {
                let field = format!("{field}.split");
                if partitions.len() < 2 {
                    self.error(
                        &field,
                        "a split needs at least two partitions; serve a single treatment with \
                         `treatment`",
                    );
                }
                let mut seen = HashSet::new();
                for (index, partition) in partitions.iter().enumerate() {
                    let at = format!("{field}[{index}]");
                    self.known_treatment(&format!("{at}.treatment"), &partition.treatment);
                    if !seen.insert(partition.treatment.as_str()) {
                        self.error(format!("{at}.treatment"), "a treatment appears twice");
                    }
                    if partition.size > 100 {
                        self.error(format!("{at}.size"), "must be between 0 and 100");
                    }
                }
                let total: u32 = partitions.iter().map(|p| u32::from(p.size)).sum();
                if total != 100 {
                    self.error(&field, format!("sizes add up to {total}, not 100"));
                }
            }
        }
    }

    fn matcher(&mut self, field: &str, matcher: &Matcher) {
        use MatcherCondition as C;
        if let Some(attribute) = &matcher.attribute {
            if attribute.is_empty() {
                self.error(format!("{field}.attribute"), "must not be empty");
            }
        }
        let needs_attribute = matches!(
            matcher.condition,
            C::EqualTo { .. }
                | C::GreaterThanOrEqualTo { .. }
                | C::LessThanOrEqualTo { .. }
                | C::Between { .. }
                | C::EqualToSet { .. }
                | C::ContainsAnyOfSet { .. }
                | C::ContainsAllOfSet { .. }
                | C::PartOfSet { .. }
                | C::EqualToBoolean { .. }
        );
        if needs_attribute && matcher.attribute.is_none() {
            self.error(
                format!("{field}.attribute"),
                "this matcher compares an attribute: the SDKs never match it against the key",
            );
        }
        let at = format!("{field}.condition");
        match &matcher.condition {
            C::AllKeys | C::EqualToBoolean { .. } => {}
            C::InSegment { segment } => {
                if !(self.segment_exists)(segment) {
                    self.error(
                        format!("{at}.segment"),
                        format!("unknown segment `{segment}`"),
                    );
                }
            }
            C::InList { values }
            | C::EqualToSet { values }
            | C::ContainsAnyOfSet { values }
            | C::ContainsAllOfSet { values }
            | C::PartOfSet { values }
            | C::StartsWith { values }
            | C::EndsWith { values }
            | C::ContainsString { values } => self.values(&format!("{at}.values"), values),
            C::EqualTo { value, data_type }
            | C::GreaterThanOrEqualTo { value, data_type }
            | C::LessThanOrEqualTo { value, data_type } => {
                self.number(&format!("{at}.value"), value.as_f64(), *data_type);
            }
            C::Between {
                start,
                end,
                data_type,
            } => {
                self.number(&format!("{at}.start"), start.as_f64(), *data_type);
                self.number(&format!("{at}.end"), end.as_f64(), *data_type);
                if let (Some(start), Some(end)) = (start.as_f64(), end.as_f64()) {
                    if start > end {
                        self.error(format!("{at}.end"), "must not be below start");
                    }
                }
            }
            C::MatchesRegex { pattern } => match regex_js::compile(pattern) {
                Ok(_) => {}
                Err(PatternError::Invalid(why)) => self.error(
                    format!("{at}.pattern"),
                    format!("not a valid JavaScript regular expression: {why}"),
                ),
                Err(PatternError::Unsupported(what)) => {
                    self.error(format!("{at}.pattern"), format!("{what} are not supported"))
                }
            },
            C::InFlagTreatment { flag, treatments } => {
                if matcher.attribute.is_some() {
                    self.error(
                        format!("{field}.attribute"),
                        "a dependency is evaluated for the key: leave the attribute out",
                    );
                }
                self.dependency(&format!("{at}.flag"), flag);
                if treatments.is_empty() {
                    self.error(format!("{at}.treatments"), "list at least one treatment");
                }
            }
            C::EqualToSemver { version }
            | C::GreaterThanOrEqualToSemver { version }
            | C::LessThanOrEqualToSemver { version } => {
                self.semver(&format!("{at}.version"), version);
            }
            C::BetweenSemver { start, end } => {
                let low = self.semver(&format!("{at}.start"), start);
                let high = self.semver(&format!("{at}.end"), end);
                if let (Some(low), Some(high)) = (low, high) {
                    if low.compare(&high) == Ordering::Greater {
                        self.error(format!("{at}.end"), "must not be below start");
                    }
                }
            }
            C::InListSemver { versions } => {
                if versions.is_empty() {
                    self.error(format!("{at}.versions"), "list at least one version");
                }
                for (index, version) in versions.iter().enumerate() {
                    self.semver(&format!("{at}.versions[{index}]"), version);
                }
            }
        }
    }

    /// Lists of strings: not empty, no empty value (the SDKs turn "" into "no value"), no
    /// duplicate (JS set matchers compare list lengths, so a duplicate changes the result).
    fn values(&mut self, field: &str, values: &[String]) {
        if values.is_empty() {
            self.error(field, "list at least one value");
        }
        let mut seen = HashSet::new();
        for (index, value) in values.iter().enumerate() {
            if value.is_empty() {
                self.error(format!("{field}[{index}]"), "must not be empty");
            } else if !seen.insert(value.as_str()) {
                self.error(
                    format!("{field}[{index}]"),
                    format!("`{value}` is listed twice"),
                );
            }
        }
    }

    fn number(&mut self, field: &str, value: Option<f64>, data_type: NumericType) {
        match value {
            Some(ms) if data_type == NumericType::Datetime && ms.abs() > 8.64e15 => {
                self.error(field, "is not a date (ms since the epoch)");
            }
            Some(_) => {}
            None => self.error(field, "must be a number"),
        }
    }

    fn semver(&mut self, field: &str, version: &str) -> Option<Semver> {
        let parsed = Semver::parse(version);
        if parsed.is_none() {
            self.error(
                field,
                format!("`{version}` is not a semantic version (MAJOR.MINOR.PATCH[-pre][+meta])"),
            );
        }
        parsed
    }

    fn dependency(&mut self, field: &str, name: &str) {
        if name == self.flag.name {
            self.error(field, "a flag cannot depend on itself");
        } else if !(self.flag_exists)(name) {
            self.error(field, format!("unknown flag `{name}`"));
        }
    }

    fn prerequisite(&mut self, index: usize, prerequisite: &Prerequisite) {
        let field = format!("prerequisites[{index}]");
        self.dependency(&format!("{field}.flag"), &prerequisite.flag);
        let earlier = &self.flag.prerequisites[..index];
        if earlier.iter().any(|p| p.flag == prerequisite.flag) {
            self.error(
                format!("{field}.flag"),
                "this flag is already a prerequisite",
            );
        }
        if prerequisite.treatments.is_empty() {
            self.error(format!("{field}.treatments"), "list at least one treatment");
        }
    }
}
