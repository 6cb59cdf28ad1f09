//! What the policy form holds, and how it becomes a `CreateAlertPolicyRequest`.

use imprint_types::CreateAlertPolicyRequest;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyForm {
    /// The metric's id as the select holds it; empty until chosen.
    pub metric: String,
    /// One flag's key; every flag when empty.
    pub flag: String,
    /// A percentage: "5", "5 %", "2.5%".
    pub threshold: String,
    /// Users per treatment before the policy is evaluated; the API's default when empty.
    pub min_users: String,
    pub webhook_url: String,
}

impl PolicyForm {
    pub fn new() -> Self {
        PolicyForm {
            threshold: "5".into(),
            ..PolicyForm::default()
        }
    }

    /// The request, or what to fix first.
    pub fn request(&self) -> Result<CreateAlertPolicyRequest, String> {
        let metric_id = self
            .metric
            .parse::<i64>()
            .map_err(|_| "Choose the metric to watch.".to_owned())?;
        let threshold = parse_percent(&self.threshold).ok_or_else(|| {
            "The threshold is a percentage, such as 5 for an alert when a treatment is more than 5% worse."
                .to_owned()
        })?;
        let min_users =
            match self.min_users.trim() {
                "" => None,
                text => Some(text.parse::<u64>().map_err(|_| {
                    "The minimum of users per treatment is a whole number.".to_owned()
                })?),
            };
        let optional = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
        Ok(CreateAlertPolicyRequest {
            metric_id,
            flag: optional(&self.flag),
            threshold,
            min_users,
            webhook_url: optional(&self.webhook_url),
            enabled: None,
        })
    }
}

/// "5", "5 %" or "5%" → 0.05: a positive share (the API says how large it may be).
pub fn parse_percent(text: &str) -> Option<f64> {
    let number = text.trim().trim_end_matches('%').trim();
    let value = number.replace(',', ".").parse::<f64>().ok()?;
    (value.is_finite() && value > 0.0).then_some(value / 100.0)
}

/// 0.05 → "5%", 0.025 → "2.5%".
pub fn percent_text(share: f64) -> String {
    let text = format!("{:.2}", share * 100.0);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_percentages() {
        assert_eq!(parse_percent("5 %"), Some(0.05));
        assert_eq!(parse_percent("2.5%"), Some(0.025));
        assert_eq!(parse_percent("abc"), None);
        assert_eq!(parse_percent("-5"), None);
        assert_eq!(parse_percent("0"), None);
        assert_eq!(percent_text(0.05), "5%");
        assert_eq!(percent_text(0.025), "2.5%");
    }

    #[test]
    fn a_filled_form_makes_a_request() {
        let form = PolicyForm {
            metric: "3".into(),
            flag: " checkout ".into(),
            min_users: "100".into(),
            ..PolicyForm::new()
        };
        let request = form.request().unwrap();
        assert_eq!(request.metric_id, 3);
        assert_eq!(request.flag.as_deref(), Some("checkout"));
        assert_eq!(request.threshold, 0.05);
        assert_eq!(request.min_users, Some(100));
        assert_eq!(request.webhook_url, None);
        assert!(PolicyForm::new().request().is_err());
    }
}
