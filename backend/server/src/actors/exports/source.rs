//! Reading an export's rows: a scan of impressions or events, read a page ahead on a task of
//! its own so that the database and the encoder work at the same time.

use imprint_store::events_read::EventScan;
use imprint_store::impressions::{ImpressionScan, ScanRange};
use imprint_store::{Database, DbErr};
use tokio::sync::mpsc;

use super::encode::Page;
use super::spec::{ExportKind, ExportSpec};

/// Rows read per query: a few thousand keeps each query short and memory flat.
pub const PAGE_ROWS: u64 = 5_000;

/// Pages read ahead of the encoder, at most.
const PAGES_AHEAD: usize = 2;

pub enum Scan {
    Impressions(ImpressionScan),
    Events(EventScan),
}

impl Scan {
    /// A scan of the rows stored now that match the spec.
    pub async fn open(
        db: &Database,
        spec: &ExportSpec,
        environment_id: i64,
    ) -> Result<Scan, DbErr> {
        Ok(match spec.kind {
            ExportKind::Impressions => {
                let query = spec.criteria.impression_query(environment_id);
                Scan::Impressions(ImpressionScan::open(db, &query).await?)
            }
            ExportKind::Events => {
                let query = spec.criteria.event_query(environment_id);
                Scan::Events(EventScan::open(db, &query).await?)
            }
        })
    }

    /// A scan continuing from a checkpoint.
    pub async fn resume(
        db: &Database,
        spec: &ExportSpec,
        environment_id: i64,
        range: ScanRange,
    ) -> Result<Scan, DbErr> {
        Ok(match spec.kind {
            ExportKind::Impressions => {
                let query = spec.criteria.impression_query(environment_id);
                Scan::Impressions(ImpressionScan::resume(db, &query, range).await?)
            }
            ExportKind::Events => {
                let query = spec.criteria.event_query(environment_id);
                Scan::Events(EventScan::resume(db, &query, range).await?)
            }
        })
    }

    /// How many rows the scan would export.
    pub async fn count(&self) -> Result<u64, DbErr> {
        match self {
            Scan::Impressions(scan) => scan.count().await,
            Scan::Events(scan) => scan.count().await,
        }
    }

    pub fn range(&self) -> ScanRange {
        match self {
            Scan::Impressions(scan) => scan.range(),
            Scan::Events(scan) => scan.range(),
        }
    }

    async fn next_page(&mut self) -> Result<Option<Page>, DbErr> {
        Ok(match self {
            Scan::Impressions(scan) => scan.next_page(PAGE_ROWS).await?.map(Page::Impressions),
            Scan::Events(scan) => scan.next_page(PAGE_ROWS).await?.map(Page::Events),
        })
    }
}

/// A page and where the scan stood after it.
pub type ReadPage = Result<(Page, ScanRange), DbErr>;

/// Reads the scan's pages on a task of its own. The task stops at the end, at an error, or
/// when the receiver is dropped (a client that went away).
pub fn read_ahead(mut scan: Scan) -> mpsc::Receiver<ReadPage> {
    let (pages, receiver) = mpsc::channel(PAGES_AHEAD);
    actix_web::rt::spawn(async move {
        loop {
            let next = match scan.next_page().await {
                Ok(Some(page)) => Ok((page, scan.range())),
                Ok(None) => break,
                Err(e) => Err(e),
            };
            let failed = next.is_err();
            if pages.send(next).await.is_err() || failed {
                break;
            }
        }
    });
    receiver
}
