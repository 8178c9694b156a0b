//! 收信 — the mailboxes this instance reads by IMAP. Every few seconds it looks for
//! switched-on mailboxes that are due and that no instance holds, and starts a reader for
//! each ([`App::run_mailbox`]), which takes the mailbox's lease first: of several instances
//! looking at once, one reads it. A reader runs until kefu stops, the settings change, or
//! the server fails (the mailbox is flagged and backs off); then the mailbox is due again.

use std::collections::HashMap;
use std::time::Duration;

use kefu_app::App;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Starts and keeps the readers of the mailboxes this instance holds.
pub struct MailboxReaders {
    app: App,
    name: String,
    scan: Duration,
}

impl MailboxReaders {
    /// `name` identifies this instance in the mailboxes' lease, as the job worker's does.
    pub fn new(app: App, name: String, scan: Duration) -> MailboxReaders {
        MailboxReaders { app, name, scan }
    }

    /// Loops until `shutdown` turns true, then waits for the readers to let go.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut readers: HashMap<i64, JoinHandle<()>> = HashMap::new();
        loop {
            readers.retain(|_, h| !h.is_finished());
            match self.due().await {
                Ok(ids) => {
                    for id in ids {
                        if readers.contains_key(&id) {
                            continue;
                        }
                        let app = self.app.clone();
                        let name = self.name.clone();
                        let stop = shutdown.clone();
                        readers.insert(
                            id,
                            tokio::spawn(async move {
                                if let Err(e) = app.run_mailbox(id, &name, stop).await {
                                    tracing::warn!(channel = id, error = %e, "mailbox reader failed");
                                }
                            }),
                        );
                    }
                }
                Err(e) => tracing::warn!(error = %e, "mailboxes due could not be read"),
            }
            tokio::select! {
                _ = tokio::time::sleep(self.scan) => {}
                _ = shutdown.changed() => {}
            }
            if *shutdown.borrow() {
                break;
            }
        }
        for (_, reader) in readers {
            let _ = reader.await;
        }
    }

    async fn due(&self) -> Result<Vec<i64>, kefu_store::StoreError> {
        let mut conn = self.app.store.conn().await?;
        kefu_store::mail::imap::due(&mut conn, self.app.now()).await
    }
}
