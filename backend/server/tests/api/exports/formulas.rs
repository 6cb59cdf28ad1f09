//! CSV exports never hand a spreadsheet a formula: text that SDKs sent (keys, treatments,
//! labels) starting like one is written with a leading `'`.

use serde_json::json;

use super::*;
use crate::helpers::*;

#[actix_web::test]
async fn csv_cells_that_start_like_formulas_are_neutralised_in_streamed_and_job_exports() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    ingest(
        &app,
        &env.server_key,
        "/api/v1/impressions",
        &sample_impressions(now()),
    )
    .await;
    let hostile = [
        "=HYPERLINK(\"http://evil.example\")",
        "+1+2",
        "-3",
        "@SUM(A1)",
    ];
    let t = now();
    let items: Vec<_> = hostile
        .iter()
        .enumerate()
        .map(|(i, text)| {
            json!({ "flag": "formulas", "key": text, "treatment": text, "label": text,
                    "timestamp": t - 1_000 + i as i64 })
        })
        .collect();
    ingest(&app, &env.server_key, "/api/v1/impressions", &json!(items)).await;

    let viewer = app.user_with_role("viewer").await;
    let (_, body) = get_bytes(&app, &viewer, &format!("{EXPORT}?format=csv&flag=formulas")).await;
    let mut reader = csv::Reader::from_reader(body.as_slice());
    let mut cells: Vec<(String, String, String)> = reader
        .records()
        .map(Result::unwrap)
        .map(|r| (r[1].to_owned(), r[3].to_owned(), r[4].to_owned()))
        .collect();
    cells.sort();
    let mut expected: Vec<(String, String, String)> = hostile
        .iter()
        .map(|text| {
            let safe = format!("'{text}");
            (safe.clone(), safe.clone(), safe)
        })
        .collect();
    expected.sort();
    assert_eq!(cells, expected);

    // Ordinary text and numbers are untouched.
    let (_, body) = get_bytes(&app, &viewer, &format!("{EXPORT}?format=csv&flag=checkout")).await;
    let mut reader = csv::Reader::from_reader(body.as_slice());
    let first = reader.records().next().unwrap().unwrap();
    assert_eq!(&first[1], "u0");
    assert_eq!(&first[5], "100");
}
