//! One keep-alive HTTP/1.1 connection posting bulk bodies, on hyper's low-level client: the
//! load generator shares the cores with the server, so it must spend as little as it can per
//! request, and one request in flight per connection is what the SDKs do.

use std::net::SocketAddr;

use anyhow::Context;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use imprint_types::IngestReport;
use tokio::net::TcpStream;

use crate::workload::{Machine, SplitBody, IMPRESSIONS_MODE, SDK_VERSION};

const BULK_PATH: &str = "/api/testImpressions/bulk";

/// Where and as whom to post: the headers every post carries, built once.
pub struct IngestTarget {
    address: SocketAddr,
    host: HeaderValue,
    authorization: HeaderValue,
    machines: Vec<(HeaderValue, HeaderValue)>,
}

impl IngestTarget {
    pub fn new(address: SocketAddr, sdk_key: &str) -> anyhow::Result<IngestTarget> {
        let machines = (0..Machine::count())
            .map(|index| {
                let machine = Machine::of(index);
                Ok((
                    HeaderValue::from_str(&machine.ip)?,
                    HeaderValue::from_str(&machine.name)?,
                ))
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(IngestTarget {
            address,
            host: HeaderValue::from_str(&address.to_string())?,
            authorization: HeaderValue::from_str(&format!("Bearer {sdk_key}"))
                .context("the SDK key is not a valid header value")?,
            machines,
        })
    }

    fn request(&self, body: &SplitBody) -> anyhow::Result<Request<Full<Bytes>>> {
        let (machine_ip, machine_name) = &self.machines[body.machine % self.machines.len()];
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(BULK_PATH)
            .header(HOST, self.host.clone())
            .header(AUTHORIZATION, self.authorization.clone())
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .body(Full::new(body.json.clone()))?;
        let headers = request.headers_mut();
        headers.insert(
            HeaderName::from_static("splitsdkversion"),
            HeaderValue::from_static(SDK_VERSION),
        );
        headers.insert(
            HeaderName::from_static("splitsdkmachineip"),
            machine_ip.clone(),
        );
        headers.insert(
            HeaderName::from_static("splitsdkmachinename"),
            machine_name.clone(),
        );
        headers.insert(
            HeaderName::from_static("splitsdkimpressionsmode"),
            HeaderValue::from_static(IMPRESSIONS_MODE),
        );
        Ok(request)
    }
}

/// What the server made of one post.
pub enum PostOutcome {
    /// 200: the batch has committed.
    Stored { accepted: u64, rejected: u64 },
    /// 503: the server is shedding load and asks to retry later (its Retry-After is a
    /// whole second, far longer than a queue needs to drain; the caller backs off briefly).
    Overloaded,
    /// Anything else: a problem of the server or of the benchmark, reported as such.
    Failed { status: StatusCode, body: String },
}

pub struct Connection {
    sender: SendRequest<Full<Bytes>>,
}

impl Connection {
    pub async fn open(target: &IngestTarget) -> anyhow::Result<Connection> {
        let stream = TcpStream::connect(target.address)
            .await
            .with_context(|| format!("connecting to {}", target.address))?;
        // Bodies go out in one write, and the answer is awaited: Nagle would only add delay.
        stream.set_nodelay(true)?;
        let (sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .context("starting an HTTP/1.1 connection")?;
        // Drives the socket; ends when the sender is dropped or the server closes. Its error,
        // if any, surfaces through the next `post` on this connection.
        tokio::spawn(connection);
        Ok(Connection { sender })
    }

    /// Posts one body and reads the whole answer. An error means the connection is unusable.
    pub async fn post(
        &mut self,
        target: &IngestTarget,
        body: &SplitBody,
    ) -> anyhow::Result<PostOutcome> {
        self.sender.ready().await.context("the connection closed")?;
        let response = self
            .sender
            .send_request(target.request(body)?)
            .await
            .context("posting a batch")?;
        let status = response.status();
        let answer = response
            .into_body()
            .collect()
            .await
            .context("reading the answer")?
            .to_bytes();
        Ok(match status {
            StatusCode::OK => {
                let report: IngestReport = serde_json::from_slice(&answer)
                    .context("a 200 answer that is not an ingestion report")?;
                PostOutcome::Stored {
                    accepted: report.accepted as u64,
                    rejected: report.rejected.len() as u64,
                }
            }
            StatusCode::SERVICE_UNAVAILABLE => PostOutcome::Overloaded,
            status => PostOutcome::Failed {
                status,
                body: String::from_utf8_lossy(&answer).into_owned(),
            },
        })
    }
}
