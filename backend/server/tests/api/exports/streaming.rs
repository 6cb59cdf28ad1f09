//! Streaming exports: every format, every criterion, and the errors of bad criteria.

use parquet::basic::{LogicalType, Type as PhysicalType};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::RowAccessor;
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::*;
use crate::helpers::*;

#[actix_web::test]
async fn csv_exports_have_a_header_row_and_the_rows_matching_flag_and_treatment() {
    let (app, _exports) = app_with_samples(7).await;
    let viewer = app.user_with_role("viewer").await;
    let (content_type, body) = get_bytes(
        &app,
        &viewer,
        &format!("{EXPORT}?format=csv&flag=checkout&treatment=on"),
    )
    .await;
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let mut reader = csv::Reader::from_reader(body.as_slice());
    assert_eq!(reader.headers().unwrap(), COLUMNS.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let exported: Vec<&str> = rows.iter().map(|r| &r[1]).collect();
    assert_eq!(exported, ["u0", "u2", "u4", "u6"]);
    assert_eq!(&rows[0][4], "in segment beta");
    assert_eq!(&rows[0][5], "100");
    assert_eq!(&rows[0][8], "nodejs-11.11.2");
    let properties: Value = serde_json::from_str(&rows[0][12]).unwrap();
    assert_eq!(properties, json!({ "plan": "pro", "seats": 0 }));
    // Absent values are empty fields.
    assert_eq!(&rows[0][2], "");
}

#[actix_web::test]
async fn ndjson_exports_filter_by_key_label_sdk_and_properties() {
    let (app, _exports) = app_with_samples(7).await;
    let admin = app.admin_session().await;
    let export = |query: &'static str| {
        let (app, admin) = (&app, &admin);
        async move {
            ndjson(
                &get_bytes(app, admin, &format!("{EXPORT}?format=ndjson&{query}"))
                    .await
                    .1,
            )
        }
    };
    let mut two_keys = export("key=u1&key=s2").await;
    two_keys.sort_by_key(|r| r["key"].as_str().unwrap().to_owned());
    assert_eq!(keys(&two_keys), ["s2", "u1"]);
    assert_eq!(
        keys(&export("label=default%20rule").await),
        ["u4", "u5", "u6", "u7"]
    );
    assert_eq!(keys(&export("sdk=python-10.7.0").await), ["u6", "u7"]);
    assert_eq!(keys(&export("property.plan=pro").await), ["u0", "u1", "u2"]);
    assert_eq!(
        keys(&export("property.plan=free&property.seats=5").await),
        ["u5"]
    );
    assert_eq!(
        keys(&export("flag=search,checkout&label=in%20segment%20beta&treatment=off").await),
        ["u1", "u3"]
    );
    assert!(export("treatment=never-served").await.is_empty());
    assert!(export("flag=unknown").await.is_empty());

    let row = &export("key=u0").await[0];
    assert_eq!(row["properties"], json!({ "plan": "pro", "seats": 0 }));
    assert_eq!(row["change_number"], 100);
    assert!(row["received_at"].as_i64().unwrap() >= row["timestamp"].as_i64().unwrap());
}

#[actix_web::test]
async fn parquet_exports_have_typed_columns() {
    let (app, _exports) = app_with_samples(7).await;
    let admin = app.admin_session().await;
    let (content_type, body) = get_bytes(&app, &admin, &format!("{EXPORT}?format=parquet")).await;
    assert_eq!(content_type, "application/vnd.apache.parquet");
    let reader = SerializedFileReader::new(actix_web::web::Bytes::from(body)).unwrap();
    assert_eq!(reader.metadata().file_metadata().num_rows(), 12);
    let schema = reader.metadata().file_metadata().schema_descr();
    let column = |name: &str| {
        let i = COLUMNS.iter().position(|c| *c == name).unwrap();
        let c = schema.column(i);
        assert_eq!(c.name(), name);
        (
            c.physical_type(),
            c.logical_type_ref().cloned(),
            c.self_type().is_optional(),
        )
    };
    assert_eq!(
        column("flag"),
        (PhysicalType::BYTE_ARRAY, Some(LogicalType::String), false)
    );
    assert_eq!(
        column("label"),
        (PhysicalType::BYTE_ARRAY, Some(LogicalType::String), true)
    );
    assert_eq!(column("change_number"), (PhysicalType::INT64, None, true));
    assert!(matches!(
        column("timestamp"),
        (PhysicalType::INT64, Some(LogicalType::Timestamp(_)), false)
    ));
    assert!(matches!(
        column("received_at").1,
        Some(LogicalType::Timestamp(_))
    ));
    assert_eq!(
        column("properties"),
        (PhysicalType::BYTE_ARRAY, Some(LogicalType::String), true)
    );

    let rows: Vec<_> = reader
        .get_row_iter(None)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 12);
    // Rows of one request are stored flag by flag, in no fixed order of flags.
    let by_key = |key: &str| {
        rows.iter()
            .find(|r| r.get_string(1).unwrap() == key)
            .unwrap()
    };
    let u0 = by_key("u0");
    assert_eq!(u0.get_string(0).unwrap(), "checkout");
    assert_eq!(u0.get_long(5).unwrap(), 100);
    assert!(u0.get_timestamp_millis(6).unwrap() > 1_700_000_000_000);
    let properties: Value = serde_json::from_str(by_key("u2").get_string(12).unwrap()).unwrap();
    assert_eq!(properties, json!({ "plan": "pro", "seats": 2 }));
    assert_eq!(by_key("s3").get_string(0).unwrap(), "search");
}

#[actix_web::test]
async fn gzip_exports_round_trip_as_gz_downloads() {
    let (app, _exports) = app_with_samples(7).await;
    let admin = app.admin_session().await;
    let (_, plain) = get_bytes(&app, &admin, &format!("{EXPORT}?format=csv")).await;
    let response = admin
        .get(&app, &format!("{EXPORT}?format=csv&gzip=true"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/gzip");
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.contains("impressions-production.csv.gz"),
        "{disposition}"
    );
    let body = response.bytes().await.unwrap();
    assert_eq!(&body[..2], [0x1f, 0x8b], "a gzip stream");
    assert_eq!(gunzip(&body), plain);

    let (_, ndjson_gz) = get_bytes(&app, &admin, &format!("{EXPORT}?gzip=1&flag=search")).await;
    assert_eq!(keys(&ndjson(&gunzip(&ndjson_gz))), ["s0", "s1", "s2", "s3"]);
}

#[actix_web::test]
async fn windows_by_reception_time_include_impressions_that_arrived_late() {
    let (app, _exports) = app_with_samples(7).await;
    let env_key = app.environment("late").await.server_key;
    let start = now();
    let two_days_ago = start - 2 * 86_400_000;
    let late = json!([{ "flag": "checkout", "key": "late", "treatment": "on", "timestamp": two_days_ago }]);
    ingest(&app, &env_key, "/api/v1/impressions", &late).await;
    let admin = app.admin_session().await;
    let path = "/api/v1/environments/late/impressions/export";
    let window = format!("from={}&to={}", start - 1_000, now() + 1_000);
    let by_evaluation = get_bytes(&app, &admin, &format!("{path}?{window}")).await.1;
    assert!(ndjson(&by_evaluation).is_empty());
    let received = format!("{path}?{window}&time_field=received_at");
    assert_eq!(
        keys(&ndjson(&get_bytes(&app, &admin, &received).await.1)),
        ["late"]
    );
    let iso = chrono::DateTime::from_timestamp_millis(two_days_ago - 1_000)
        .unwrap()
        .to_rfc3339();
    let by_rfc3339 = format!("{path}?from={}&to={}", urlencode(&iso), start);
    assert_eq!(
        keys(&ndjson(&get_bytes(&app, &admin, &by_rfc3339).await.1)),
        ["late"]
    );
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[actix_web::test]
async fn events_export_by_type_key_and_property_in_every_format() {
    let (app, _exports) = app_with_samples(7).await;
    let env = app.environment("shop").await;
    let t = now();
    let events = json!([
        { "event_type": "purchase", "key": "u1", "timestamp": t - 3, "value": 9.5, "properties": { "sku": "A1" } },
        { "event_type": "purchase", "key": "u2", "timestamp": t - 2, "value": 20.0, "properties": { "sku": "B2" } },
        { "event_type": "page_view", "key": "u1", "timestamp": t - 1, "traffic_type": "user" },
    ]);
    ingest(&app, &env.server_key, "/api/v1/events", &events).await;
    let admin = app.admin_session().await;
    let path = "/api/v1/environments/shop/events/export";
    let rows = ndjson(
        &get_bytes(&app, &admin, &format!("{path}?event_type=purchase"))
            .await
            .1,
    );
    assert_eq!(keys(&rows), ["u1", "u2"]);
    assert_eq!(rows[0]["value"], 9.5);
    assert_eq!(rows[0]["properties"], json!({ "sku": "A1" }));
    let by_property = ndjson(
        &get_bytes(&app, &admin, &format!("{path}?property.sku=B2"))
            .await
            .1,
    );
    assert_eq!(keys(&by_property), ["u2"]);

    let (_, csv_body) = get_bytes(&app, &admin, &format!("{path}?format=csv&key=u1")).await;
    let mut reader = csv::Reader::from_reader(csv_body.as_slice());
    assert_eq!(&reader.headers().unwrap()[0], "event_type");
    let types: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_owned()).collect();
    assert_eq!(types, ["purchase", "page_view"]);

    let (_, parquet) = get_bytes(&app, &admin, &format!("{path}?format=parquet")).await;
    let reader = SerializedFileReader::new(actix_web::web::Bytes::from(parquet)).unwrap();
    let value = reader.metadata().file_metadata().schema_descr().column(3);
    assert_eq!(
        (value.name(), value.physical_type()),
        ("value", PhysicalType::DOUBLE)
    );
    let rows: Vec<_> = reader
        .get_row_iter(None)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows[1].get_double(3).unwrap(), 20.0);
}

#[actix_web::test]
async fn bad_export_criteria_get_400_with_a_code() {
    let (app, _exports) = app_with_samples(7).await;
    let admin = app.admin_session().await;
    let events = "/api/v1/environments/production/events/export";
    for (path, code) in [
        (format!("{EXPORT}?format=xml"), "unsupported_format"),
        (format!("{EXPORT}?from=yesterday"), "invalid_query"),
        (format!("{EXPORT}?time_field=arrival"), "invalid_query"),
        (format!("{EXPORT}?flags=checkout"), "invalid_query"),
        (format!("{EXPORT}?gzip=maybe"), "invalid_query"),
        (format!("{events}?flag=checkout"), "invalid_query"),
    ] {
        let response = admin.get(&app, &path).await;
        assert_eq!(
            error_code(response, StatusCode::BAD_REQUEST).await,
            code,
            "{path}"
        );
    }
    let unknown = admin
        .get(&app, "/api/v1/environments/nowhere/events/export")
        .await;
    assert_eq!(
        error_code(unknown, StatusCode::NOT_FOUND).await,
        "not_found"
    );
}
