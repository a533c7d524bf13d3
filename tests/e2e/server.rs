//! A real search-api on an ephemeral 127.0.0.1 port, and a client for it.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

/// A running server and an HTTP client with a timeout.
pub struct TestServer {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The client every helper uses.
    pub client: reqwest::Client,
    running: Option<search_api::Running>,
}

impl TestServer {
    /// Serves the index in `data` with default settings.
    pub async fn open(data: &Path) -> TestServer {
        TestServer::open_with(data, search_api::ApiSettings::default()).await
    }

    /// Serves the index in `data` with `settings`.
    pub async fn open_with(data: &Path, settings: search_api::ApiSettings) -> TestServer {
        let state = search_api::AppState::open_with(data, settings).expect("state opens");
        TestServer::start(state, search_api::ServeOptions::default()).await
    }

    /// Serves `state` with `options`.
    pub async fn start(
        state: search_api::AppState,
        options: search_api::ServeOptions,
    ) -> TestServer {
        let address = "127.0.0.1:0".parse().expect("address");
        let running = search_api::spawn(address, search_api::router(state), options)
            .await
            .expect("bind");
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        TestServer {
            base: running.base_url(),
            client,
            running: Some(running),
        }
    }

    /// GET `path`: status, content type and body text.
    pub async fn get_text(&self, path: &str) -> (u16, String, String) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("answered");
        let status = response.status().as_u16();
        let kind = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (status, kind, response.text().await.expect("body"))
    }

    /// GET `path`: status and JSON body (a panic naming the path if it is not JSON).
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let (status, _, text) = self.get_text(path).await;
        let body = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {text}"));
        (status, body)
    }

    /// POST a body with a content type and optional `Authorization` value:
    /// status, JSON body and any `WWW-Authenticate` challenge.
    pub async fn post(
        &self,
        path: &str,
        body: &str,
        kind: &str,
        token: Option<&str>,
    ) -> (u16, Value, String) {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", kind)
            .body(body.to_owned());
        if let Some(token) = token {
            request = request.header("authorization", token);
        }
        let response = request.send().await.expect("answered");
        let status = response.status().as_u16();
        let challenge = response
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let text = response.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}"));
        (status, body, challenge)
    }

    /// Shuts down gracefully; panics if the server outlives its shutdown deadline.
    pub async fn stop(mut self) {
        if let Some(running) = self.running.take() {
            tokio::time::timeout(Duration::from_secs(15), running.stop())
                .await
                .expect("server stops within its shutdown deadline");
        }
    }
}
