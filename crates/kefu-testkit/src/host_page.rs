//! A page of another web site — another origin than kefu's — for the browser journeys of
//! what web sites embed (the chat widget): one HTML page at `/`, on its own port.

use std::net::SocketAddr;

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The other site; it stops when dropped.
pub struct HostPage {
    /// `http://127.0.0.1:<port>`: the origin its page has.
    pub base: String,
    handle: JoinHandle<()>,
}

impl HostPage {
    /// Serves `html` at `/` on a free port of the loopback address.
    pub async fn serve(html: String) -> HostPage {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port for the host page");
        let addr: SocketAddr = listener.local_addr().expect("its address");
        let app = Router::new().route(
            "/",
            get(move || {
                let page = html.clone();
                async move { Html(page) }
            }),
        );
        let handle = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        HostPage {
            base: format!("http://{addr}"),
            handle,
        }
    }

    pub fn url(&self) -> String {
        format!("{}/", self.base)
    }
}

impl Drop for HostPage {
    fn drop(&mut self) {
        self.handle.abort();
    }
}
