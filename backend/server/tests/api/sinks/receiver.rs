//! A real HTTP receiver for sink tests: it listens on a port, answers as a script or a
//! contract says, and keeps every request it accepted (bodies un-gzipped).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use bytes::Bytes;

use crate::crash::free_port;

/// One request as the receiver got it.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: Vec<(String, String)>,
    /// The body after undoing `Content-Encoding: gzip`.
    pub body: Vec<u8>,
    /// The status the receiver answered.
    pub status: u16,
    pub at: std::time::Instant,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
}

/// An answer: status, headers, body.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// How long the receiver takes before it answers.
    pub delay: Duration,
}

impl Reply {
    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: String::new(),
            delay: Duration::ZERO,
        }
    }

    pub fn after(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }

    pub fn with_body(mut self, body: &str) -> Reply {
        self.body = body.to_owned();
        self
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// Decides the answer to a request the script does not cover.
pub type Contract = Arc<dyn Fn(&Received) -> Reply + Send + Sync>;

struct State {
    script: VecDeque<Reply>,
    requests: Vec<Received>,
    contract: Contract,
}

pub struct Receiver {
    pub port: u16,
    state: Arc<Mutex<State>>,
    server: Option<actix_web::dev::ServerHandle>,
}

impl Receiver {
    /// A receiver that accepts everything with 200.
    pub fn start() -> Receiver {
        Receiver::with_contract(Arc::new(|_| Reply::status(200).with_body("ok")))
    }

    pub fn with_contract(contract: Contract) -> Receiver {
        let mut receiver = Receiver::not_listening(contract);
        receiver.listen();
        receiver
    }

    /// A receiver whose port refuses connections until [`Receiver::listen`].
    pub fn not_listening(contract: Contract) -> Receiver {
        Receiver {
            port: free_port(),
            state: Arc::new(Mutex::new(State {
                script: VecDeque::new(),
                requests: Vec::new(),
                contract,
            })),
            server: None,
        }
    }

    pub fn listen(&mut self) {
        let state = self.state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(state.clone()))
                .app_data(web::PayloadConfig::new(64 << 20))
                .default_service(web::to(answer))
        })
        .workers(1)
        .disable_signals()
        .bind(("127.0.0.1", self.port))
        .unwrap()
        .run();
        self.server = Some(server.handle());
        actix_web::rt::spawn(server);
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The next requests get these answers, in order; then the contract answers again.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.state.lock().unwrap().script.extend(replies);
    }

    /// Every request received so far, whatever it was answered.
    pub fn requests(&self) -> Vec<Received> {
        self.state.lock().unwrap().requests.clone()
    }

    /// The requests answered with a 2xx.
    pub fn accepted(&self) -> Vec<Received> {
        self.requests()
            .into_iter()
            .filter(|r| (200..300).contains(&r.status))
            .collect()
    }

    /// Waits until `done` holds for the requests received, or panics after `seconds`.
    pub async fn wait_for(&self, seconds: u64, what: &str, done: impl Fn(&[Received]) -> bool) {
        for _ in 0..seconds * 20 {
            if done(&self.requests()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the receiver did not get {what} within {seconds} s; it got {} requests",
            self.requests().len()
        );
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            drop(server.stop(false));
        }
    }
}

async fn answer(
    request: HttpRequest,
    body: Bytes,
    state: web::Data<Arc<Mutex<State>>>,
) -> HttpResponse {
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    // actix-web undoes `Content-Encoding: gzip` itself (and answers 400 when it is not
    // gzip), so the body here is the plain one and the header says how it travelled.
    let body = body.to_vec();
    let mut received = Received {
        path: request.path().to_owned(),
        headers,
        body,
        status: 0,
        at: std::time::Instant::now(),
    };
    let reply = {
        let mut state = state.lock().unwrap();
        let reply = match state.script.pop_front() {
            Some(reply) => reply,
            None => (state.contract)(&received),
        };
        received.status = reply.status;
        state.requests.push(received);
        reply
    };
    tokio::time::sleep(reply.delay).await;
    let mut response =
        HttpResponse::build(actix_web::http::StatusCode::from_u16(reply.status).unwrap());
    for (name, value) in &reply.headers {
        response.insert_header((name.as_str(), value.as_str()));
    }
    response.body(reply.body)
}
