-- 售后照片 — the photos (or a short video) of the fault that come with an RMA: from the
-- staff who register it, from the customer asking in the portal, or added later. The bytes
-- are stored once by their SHA-256 in `attachment_blobs`, as ticket attachments are, and go
-- only when nothing names them any more.
CREATE TABLE rma_photos (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rma_id INTEGER NOT NULL REFERENCES rmas (id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL REFERENCES attachment_blobs (sha256),
    by_user INTEGER REFERENCES users (id),
    -- Sent by the customer in the portal (no staff member added it).
    by_customer INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX rma_photos_rma ON rma_photos (rma_id, id);
CREATE INDEX rma_photos_sha256 ON rma_photos (sha256);
